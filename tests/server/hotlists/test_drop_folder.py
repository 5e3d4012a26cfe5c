"""State hotlist files dropped into a folder are imported once, with a report beside them."""

from __future__ import annotations

import os
import time

import pytest

from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.drop_folder import import_dropped_files
from platekeeper.server.hotlists.models import HotlistEntry
from tests.support.people import SETUP_REQUESTER

pytestmark = pytest.mark.django_db


def _drop(folder, name: str, text: str, *, age: float = 60) -> None:
    path = folder / name
    path.write_text(text)
    past = time.time() - age
    os.utime(path, (past, past))


def test_a_dropped_file_replaces_its_list_and_is_filed_with_a_report(tmp_path):
    create_hotlist("CA SVS", requester=SETUP_REQUESTER, source="state")
    _drop(tmp_path, "CA SVS.ncic", "7ABC123|CA|2025|PC|V1|CA0013900|V|20261120\nBAD\n")

    (result,) = import_dropped_files(tmp_path)

    assert result.ok
    assert HotlistEntry.objects.get().plate_normalized == "7ABC123"
    (moved,) = (tmp_path / "processed").glob("*-CA SVS.ncic")
    report = (tmp_path / "processed" / (moved.name + ".report.txt")).read_text()
    assert "1 added" in report
    assert "line 2:" in report
    assert import_dropped_files(tmp_path) == []  # imported exactly once


def test_a_file_for_an_unknown_list_fails_with_the_reason(tmp_path):
    _drop(tmp_path, "Nobody.csv", "plate\n7ABC123\n")

    (result,) = import_dropped_files(tmp_path)

    assert not result.ok
    assert "no hotlist named 'Nobody'" in result.message
    assert list((tmp_path / "failed").glob("*-Nobody.csv"))


def test_a_file_still_being_written_waits(tmp_path):
    create_hotlist("CA SVS", requester=SETUP_REQUESTER, source="state")
    _drop(tmp_path, "CA SVS.csv", "plate\n7ABC123\n", age=0)

    assert import_dropped_files(tmp_path) == []
    assert (tmp_path / "CA SVS.csv").exists()

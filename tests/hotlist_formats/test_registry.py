"""Every place that reads hotlist files offers exactly the registered formats, new ones included."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from platekeeper.cli.hotlists import import_file
from platekeeper.hotlist_formats import (
    HotlistFormat,
    HotlistFormatError,
    InvalidRow,
    ParsedEntry,
    format_names,
    hotlist_formats,
    register_format,
    registry,
    require_format,
)
from platekeeper.hotlist_formats.entries import entry_from_values
from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.roles import Role
from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.drop_folder import import_dropped_files
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.web.forms import HotlistImportForm
from tests.support.people import SETUP_REQUESTER, make_user


def _parse_plates(
    lines: Iterable[str], mapping: Mapping[str, str] | None = None
) -> Iterator[ParsedEntry | InvalidRow]:
    """A format as small as they come: one plate a line."""
    for line, text in enumerate(lines, start=1):
        if text.strip():
            yield entry_from_values(line, {"plate": text.strip()})


@pytest.fixture
def plates_format(monkeypatch) -> HotlistFormat:
    """A new format registered only for the test, as a new module would register one."""
    monkeypatch.setattr(registry, "_FORMATS", dict(registry._FORMATS))
    return register_format(
        HotlistFormat(name="plates", label="One plate a line", parse=_parse_plates)
    )


def test_the_built_in_formats_are_registered_by_name():
    assert format_names() == ["csv", "ncic"]
    assert [each.takes_mapping for each in hotlist_formats()] == [True, False]


def test_a_name_is_registered_once_and_must_fit_a_file_suffix(plates_format):
    with pytest.raises(ValueError, match="registered already"):
        register_format(plates_format)
    with pytest.raises(ValueError, match="lower-case"):
        register_format(HotlistFormat(name="My.Format", label="x", parse=_parse_plates))


def test_an_unknown_format_names_the_field_and_the_choices(plates_format):
    with pytest.raises(HotlistFormatError, match=r"^format: must be csv or ncic or plates$"):
        require_format("xml")


def test_the_cli_offers_exactly_the_registered_formats():
    (option,) = [param for param in import_file.params if param.name == "fmt"]
    assert list(option.type.choices) == format_names()


def test_the_web_form_offers_exactly_the_registered_formats(plates_format):
    choices = HotlistImportForm().fields["format"].choices
    assert [name for name, _ in choices] == format_names() == ["csv", "ncic", "plates"]
    assert ("plates", "One plate a line") in choices


@pytest.mark.django_db
@pytest.mark.both_databases
def test_the_api_takes_a_newly_registered_format(plates_format):
    make_user("amir", Role.ADMINISTRATOR)
    token = create_personal_token("amir", requester=SETUP_REQUESTER)[1]
    create_hotlist("BOLO", requester=SETUP_REQUESTER)

    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/hotlists/BOLO/import",
        data={"file": SimpleUploadedFile("bolo.txt", b"7ABC123\n8XYZ999\n"), "format": "plates"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["added"] == 2


@pytest.mark.django_db
def test_the_drop_folder_takes_every_registered_suffix_and_nothing_else(plates_format, tmp_path):
    create_hotlist("BOLO", requester=SETUP_REQUESTER)
    for name, text in [("BOLO.plates", "7ABC123\n"), ("BOLO.txt", "8XYZ999\n")]:
        (tmp_path / name).write_text(text)
        past = time.time() - 60
        os.utime(tmp_path / name, (past, past))

    (result,) = import_dropped_files(tmp_path)

    assert (result.file, result.ok) == ("BOLO.plates", True)
    assert list(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == ["7ABC123"]
    assert (tmp_path / "BOLO.txt").exists()

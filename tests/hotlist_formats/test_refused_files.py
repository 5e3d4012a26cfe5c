"""NCIC files the department may not act on (Gov. Code §7284.6) stay out of every import path."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from platekeeper.cli.main import cli
from platekeeper.hotlist_formats import ParsedEntry, RefusedRow, parse_ncic
from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.models import HotlistEntry
from tests.support.people import SETUP_REQUESTER

EXTRACT = (
    "7ABC123|CA|2025|PC|V123456789|CA0013900|V|20261120\n"
    "4IVF001|CA|2025|PC|I000000001|DHS000000|I|20261120\n"
)


def test_the_parser_yields_an_immigration_violator_record_as_refused_citing_the_law():
    stolen, immigration = list(parse_ncic(io.StringIO(EXTRACT)))

    assert isinstance(stolen, ParsedEntry)
    assert isinstance(immigration, RefusedRow)
    assert immigration.line == 2
    assert immigration.describe().startswith("NCIC file I, Immigration Violator File: ")
    assert "Gov. Code §7284.6" in immigration.reason


@pytest.mark.django_db
def test_the_cli_import_prints_the_refused_line_and_count(tmp_path):
    create_hotlist("NCIC", requester=SETUP_REQUESTER)
    extract = tmp_path / "ncic.txt"
    extract.write_text(EXTRACT)

    result = CliRunner().invoke(
        cli, ["hotlist", "import", str(extract), "--list", "NCIC", "--format", "ncic"]
    )

    assert result.exit_code == 0, result.output
    assert "line 2: NCIC file I, Immigration Violator File" in result.output
    assert "1 added, 0 removed, 0 unchanged, 0 invalid, 1 refused" in result.output
    assert "Gov. Code §7284.6" in result.output
    assert list(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == ["7ABC123"]

"""Importing hotlist files: what an administrator sees, and that an import is all or nothing."""

from __future__ import annotations

import io

import pytest

from platekeeper.hotlist_formats import HotlistFormatError, parse_csv, parse_ncic
from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.hotlists.actions import (
    HotlistError,
    add_entry,
    create_hotlist,
    import_entries,
)
from platekeeper.server.hotlists.models import HotlistEntry
from tests.support.people import SETUP_REQUESTER

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CSV = """plate,state,reason,description,case_number,expires_at
7ABC123,CA,Stolen vehicle,Silver Honda Civic,24-0001,
8XYZ999,ca,Stolen vehicle,Black Ford F-150,24-0002,2030-01-01
BAD#PLATE,CA,oops,,,
7ABC123,CA,Duplicate of line 2,,,
6TRL204,,Stolen plate,,,not-a-date
"""

NCIC = """7ABC123|CA|2025|PC|V123456789|CA0013900|V|20261120
5KLM001|NV|2026|PC|V987654321|NV0020000|L|20261121
TOO|FEW|FIELDS
"""


@pytest.fixture
def stolen():
    return create_hotlist(
        "CA stolen vehicles", requester=SETUP_REQUESTER, source="state", category="stolen_vehicle"
    )


def _import(hotlist, text, *, fmt="csv", replace=False):
    parser = parse_csv if fmt == "csv" else parse_ncic
    return import_entries(
        hotlist, parser(io.StringIO(text)), requester=SETUP_REQUESTER, replace=replace
    )


def test_a_csv_import_reports_added_and_every_bad_line(stolen):
    report = _import(stolen, CSV)

    assert (report.added, report.removed, report.unchanged) == (2, 0, 0)
    assert [(row.line, row.reason.split(":")[0]) for row in report.invalid] == [
        (4, "plate"),
        (5, "repeats line 2"),
        (6, "expires_at"),
    ]
    assert HotlistEntry.objects.get(plate_normalized="8XYZ999").state == "CA"
    event = AuditEvent.objects.get(action="hotlist.import")
    assert event.query["added"] == 2
    assert event.query["invalid"] == 3


def test_reimporting_with_replace_removes_what_the_file_dropped(stolen):
    _import(stolen, CSV)

    report = _import(stolen, "plate,state\n7ABC123,CA\n1NEW111,CA\n", replace=True)

    assert (report.added, report.removed, report.unchanged) == (1, 1, 1)
    assert set(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == {
        "7ABC123",
        "1NEW111",
    }


def test_without_replace_an_import_only_adds(stolen):
    _import(stolen, CSV)

    report = _import(stolen, "plate\n1NEW111\n")

    assert (report.added, report.removed) == (1, 0)
    assert HotlistEntry.objects.count() == 3


def test_the_ncic_format(stolen):
    report = _import(stolen, NCIC, fmt="ncic")

    assert report.added == 2
    assert report.invalid[0].line == 3
    entry = HotlistEntry.objects.get(plate_normalized="5KLM001")
    assert (entry.state, entry.ncic_number, entry.reason) == ("NV", "V987654321", "Stolen plate")
    assert entry.entered_at.date().isoformat() == "2026-11-21"


IMMIGRATION = """7ABC123|CA|2025|PC|V123456789|CA0013900|V|20261120
4IVF001|CA|2025|PC|I000000001|DHS000000|I|20261120
4IVF002|TX|2025|PC|I000000002|DHS000000|ivf|20261121
"""


def test_ncic_immigration_violator_records_are_refused_and_the_rest_imports(stolen):
    """GIVEN an NCIC extract with a stolen vehicle and two Immigration Violator File records
    WHEN it is imported THEN only the stolen vehicle is entered, the two are reported as
    refused under Gov. Code §7284.6, and the import's audit event counts them."""
    report = _import(stolen, IMMIGRATION, fmt="ncic")

    assert (report.added, report.invalid) == (1, [])
    assert [row.line for row in report.refused] == [2, 3]
    assert "Immigration Violator File" in report.refused[0].category
    assert "Gov. Code §7284.6" in report.refused[0].reason
    assert "2 refused (the department may not act on it: Gov. Code §7284.6" in report.describe()
    assert list(HotlistEntry.objects.values_list("plate_normalized", flat=True)) == ["7ABC123"]
    event = AuditEvent.objects.get(action="hotlist.import")
    assert event.query["refused"] == 2
    assert "Gov. Code §7284.6" in event.query["refused_because"][0]


def test_a_file_without_a_plate_column_changes_nothing(stolen):
    with pytest.raises(HotlistFormatError, match="no 'plate' column"):
        _import(stolen, "tag,state\n7ABC123,CA\n")

    assert HotlistEntry.objects.count() == 0


def test_a_column_mapping_reads_a_states_own_layout(stolen):
    rows = parse_csv(io.StringIO("LicNo,St\n7ABC123,CA\n"), {"plate": "LicNo", "state": "St"})

    report = import_entries(stolen, rows, requester=SETUP_REQUESTER)

    assert report.added == 1
    assert HotlistEntry.objects.get().state == "CA"


def test_a_partial_plate_from_a_major_crime_is_entered_by_hand(stolen):
    entry = add_entry(
        stolen, "7ab?12", requester=SETUP_REQUESTER, reason="Shooting suspect", case_number="24-9"
    ).entry

    assert entry.plate_normalized == "7AB?12"
    with pytest.raises(HotlistError, match="already on"):
        add_entry(stolen, "7AB?12", requester=SETUP_REQUESTER)
    with pytest.raises(HotlistError, match="plate:"):
        add_entry(stolen, "???###", requester=SETUP_REQUESTER)


def test_an_entry_whose_reason_names_a_prohibited_purpose_is_refused(stolen):
    with pytest.raises(AccessDenied, match=r"Penal Code §13778\.2"):
        add_entry(stolen, "7ABC123", requester=SETUP_REQUESTER, reason="Drove to abortion clinic")

    assert not HotlistEntry.objects.exists()
    refused = AuditEvent.objects.get(action="hotlist.entry_add")
    assert refused.reason.startswith("prohibited purpose")

"""The case register: imported from the records system, and the Auditor's reconciliation
report of accesses under a case it does not hold or that was not open then."""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

import pytest
from django.utils import timezone

from platekeeper.server.access.gate import Justification
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.reports import build_report
from platekeeper.server.cases.actions import (
    CaseError,
    ImportSummary,
    import_cases,
    parse_cases,
    set_case_number_format,
)
from platekeeper.server.cases.models import Case
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import search_plate
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

REGISTER = """case_number,opened_on,closed_on,offense
26-000101,2026-01-05,,Vehicle theft
26-000102,2026-01-06,2026-02-01,Burglary
"""


def _import(text: str) -> ImportSummary:
    return import_cases("rms.csv", parse_cases(text), requester=SETUP_REQUESTER)


def test_an_import_adds_the_cases_and_is_audited():
    summary = _import(REGISTER)

    assert summary == ImportSummary(created=2, updated=0, unchanged=0)
    closed = Case.objects.get(case_number="26-000102")
    assert (closed.opened_on, closed.closed_on, closed.offense) == (
        dt.date(2026, 1, 6),
        dt.date(2026, 2, 1),
        "Burglary",
    )
    assert Case.objects.get(case_number="26-000101").closed_on is None
    event = AuditEvent.objects.get(action="cases.import")
    assert event.query == {"file": "rms.csv", "created": 2, "updated": 0, "unchanged": 0}
    assert event.record_count == 2


def test_importing_again_updates_what_changed_and_nothing_else():
    _import(REGISTER)

    summary = _import(REGISTER.replace("2026-01-05,,", "2026-01-05,2026-03-01,"))

    assert summary == ImportSummary(created=0, updated=1, unchanged=1)
    assert Case.objects.get(case_number="26-000101").closed_on == dt.date(2026, 3, 1)
    assert Case.objects.count() == 2


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (",2026-01-05,,Theft", "line 3: case_number: is empty"),
        ("26-000103,05/01/2026,,Theft", "line 3: opened_on: '05/01/2026' is not a date"),
        ("26-000103,,,Theft", "line 3: opened_on: is empty"),
        ("26-000103,2026-02-01,2026-01-01,Theft", "line 3: closed_on: 2026-01-01 is before"),
        ("26-000101,2026-01-05,,Theft", "line 3: case_number: '26-000101' is on line 2 too"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_line_and_field(line, problem):
    text = "case_number,opened_on,closed_on,offense\n26-000101,2026-01-05,,Theft\n" + line + "\n"

    with pytest.raises(CaseError) as refused:
        parse_cases(text)

    assert str(refused.value).startswith(f"nothing imported: {problem}")
    assert not Case.objects.exists()


def test_a_file_without_the_columns_is_refused():
    with pytest.raises(CaseError, match="line 1: the header lacks opened_on, closed_on"):
        parse_cases("case_number,offense\n26-000101,Theft\n")


def test_rows_must_have_the_departments_format_once_set():
    set_case_number_format(r"\d{2}-\d{6}", example="26-004417", requester=SETUP_REQUESTER)

    with pytest.raises(CaseError, match="line 2: case_number: 'X-1' is not a case number"):
        parse_cases("case_number,opened_on,closed_on,offense\nX-1,2026-01-05,,Theft\n")


def _search_on(day: dt.date, case_number: str) -> None:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    user = make_user(f"user{AuditEvent.objects.count()}")
    with patch("django.utils.timezone.now", return_value=moment):
        search_plate(
            as_person(user),
            Justification(purpose="stolen_vehicle", case_number=case_number),
            plate="7ABC123",
        )


def test_the_reconciliation_report_lists_unknown_closed_and_unopened_cases():
    """GIVEN the register WHEN searches name an unknown case, a closed one, one not yet open
    and a good one THEN the report lists the first three, each with why."""
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])
    opened = timezone.localdate() - dt.timedelta(days=20)  # within the users' training
    closed = opened + dt.timedelta(days=5)
    _import(
        "case_number,opened_on,closed_on,offense\n"
        f"26-000101,{opened - dt.timedelta(days=10)},,Vehicle theft\n"
        f"26-000102,{opened},{closed},Burglary\n"
    )
    _search_on(opened + dt.timedelta(days=1), "26-000101")  # open: fine
    _search_on(opened + dt.timedelta(days=1), "26-999999")  # not in the register
    _search_on(closed + dt.timedelta(days=1), "26-000102")  # the day after it closed
    _search_on(closed, "26-000102")  # the day it closed: fine
    _search_on(opened - dt.timedelta(days=1), "26-000102")  # the day before it opened

    report = build_report(
        "unknown_case_numbers",
        requester=SETUP_REQUESTER,
        start=opened - dt.timedelta(days=1),
        end=timezone.localdate(),
    )

    rows = [dict(zip(report.columns, row, strict=True)) for row in report.rows]
    assert [(row["case number"], row["finding"]) for row in rows] == [
        ("26-000102", f"case opened {opened}, after the access"),
        ("26-999999", "not in the case register"),
        ("26-000102", f"case closed {closed}, before the access"),
    ]
    assert all(row["action"] == "reads.search" for row in rows)

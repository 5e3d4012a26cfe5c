"""Records request pages (Policy 438.9): the queue, intake, the commander's decision, release."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.records.models import RecordsRequest
from tests.support.factories import AgencyFactory
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def custodian(db):
    return signed_in("carla", Role.CUSTODIAN)


@pytest.fixture
def commander(db):
    return signed_in("ada", Role.AUDITOR)


def _row_of(page: str, number: str) -> str:
    """The queue's table row of one request."""
    return next(row for row in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S) if number in row)


def _take_in(client, *, days_ago: int = 0, **extra) -> RecordsRequest:
    received = timezone.localdate() - dt.timedelta(days=days_ago)
    response = client.post(
        "/records",
        {
            "requester_name": "Pat Doe",
            "requester_contact": "pat@example.org",
            "kind": "public_records",
            "data_sought": "Reads of 7ABC123",
            "received_on": received.isoformat(),
            **extra,
        },
    )
    assert response.status_code == 302, _text(response)
    return RecordsRequest.objects.latest("id")


def test_intake_routes_the_request_to_the_commander_with_its_due_date(custodian):
    request = _take_in(custodian, days_ago=1)

    page = _text(custodian.get(f"/records/{request.number}", follow=True))

    assert f"Request {request.number} taken in and routed to the Auditor" in page
    assert "Support Services Division Commander" in page
    assert f"{request.due_on:%Y-%m-%d} (9 days left)" in page


def test_the_queue_highlights_overdue_requests_and_shows_days_left(custodian):
    overdue = _take_in(custodian, days_ago=13)
    fresh = _take_in(custodian, days_ago=0)

    page = _text(custodian.get("/records"))

    assert _row_of(page, overdue.number).startswith('<tr class="overdue">')
    assert "overdue by 3 d" in _row_of(page, overdue.number)
    assert _row_of(page, fresh.number).startswith("<tr>")
    assert ">10</td>" in _row_of(page, fresh.number)
    overdue_only = _text(custodian.get("/records?status=overdue"))
    assert overdue.number in overdue_only
    assert fresh.number not in overdue_only


def test_an_empty_queue_says_what_to_do(custodian):
    page = _text(custodian.get("/records"))

    assert "No records requests yet." in page
    assert "the 10-day deadline runs from receipt" in page


@pytest.mark.parametrize("path", ["/records", "/records/RR-2026-0001"])
def test_an_operator_is_refused(path):
    operator = signed_in("otto", Role.OPERATOR)

    response = operator.get(path)

    assert response.status_code == 403
    assert "Your role may not handle records requests" in _text(response)
    assert "Records requests" not in _text(operator.get("/"))


def test_the_commander_decides_and_a_decision_without_a_legal_basis_is_refused(
    custodian, commander
):
    request = _take_in(custodian)
    path = f"/records/{request.number}/decide"

    by_custodian = custodian.post(path, {"decision": "deny", "legal_basis": "ec_1040"})
    without_basis = commander.post(path, {"decision": "release", "legal_basis": ""})
    decided = commander.post(path, {"decision": "deny", "legal_basis": "cc_1798_90_55b"})

    assert by_custodian.status_code == 403
    assert without_basis.status_code == 400
    assert "legal_basis: a decision to release needs its legal basis" in _text(without_basis)
    assert decided.status_code == 302
    page = _text(commander.get(f"/records/{request.number}"))
    assert "Civil Code §1798.90.55(b): ALPR data is shared only with public agencies" in page
    assert "Closed" in page
    assert "Record the decision" not in page


def test_a_release_downloads_the_export_and_is_logged_with_its_manifest(
    custodian, commander, stored_reads
):
    agency = AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    request = _take_in(custodian, kind="other_agency", agency=agency.pk)
    commander.post(
        f"/records/{request.number}/decide",
        {"decision": "release", "legal_basis": "official_purpose"},
    )

    response = custodian.post(f"/records/{request.number}/release", {"plate": "6TRL204"})

    assert response.status_code == 200, _text(response)
    manifest = response["X-Manifest-SHA256"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        reads = json.loads(archive.read("reads.json"))["reads"]
    assert {read["plate"] for read in reads} == {"6TRL204"}
    assert len(reads) == 3
    page = _text(custodian.get(f"/records/{request.number}"))
    assert manifest in page
    assert "Released" in page
    event = AuditEvent.objects.get(action="retention.evidence_export")
    assert (event.case_number, event.outcome) == (request.number, Outcome.ALLOWED)
    assert f"#{event.pk}" in page


def test_a_release_before_the_decision_is_refused(custodian, stored_reads):
    request = _take_in(custodian)

    response = custodian.post(f"/records/{request.number}/release", {"plate": "6TRL204"})

    assert response.status_code == 400
    assert "not decided yet" in _text(response)


def test_the_commanders_dashboard_counts_the_requests_awaiting_a_decision(custodian, commander):
    _take_in(custodian)
    _take_in(custodian, days_ago=2)

    page = _text(commander.get("/"))

    assert re.search(r"Records requests to decide</div><div class=\"value\">2<", page)
    assert "Records requests to decide" not in _text(custodian.get("/"))


def test_the_page_says_who_acts_next_and_offers_the_release_only_to_the_custodian(
    custodian, commander
):
    agency = AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    request = _take_in(custodian, kind="other_agency", agency=agency.pk)
    queue = _row_of(_text(custodian.get("/records")), request.number)
    assert "Auditor (Support Services Division Commander) (ada): decide" in queue

    commander.post(
        f"/records/{request.number}/decide",
        {"decision": "release", "legal_basis": "official_purpose"},
    )

    for client in (custodian, commander):
        page = _text(client.get(f"/records/{request.number}"))
        assert "Records Custodian (carla): release the reads decided for release" in page
    assert "Release and download" in _text(custodian.get(f"/records/{request.number}"))
    assert "Release and download" not in _text(commander.get(f"/records/{request.number}"))


def test_the_commander_amends_a_decision_with_a_reason_shown_in_its_history(custodian, commander):
    request = _take_in(custodian)
    path = f"/records/{request.number}"
    commander.post(f"{path}/decide", {"decision": "deny", "legal_basis": "gc_7922_000"})

    unfit = commander.post(
        f"{path}/amend",
        {"decision": "release", "legal_basis": "ec_1040", "reason": "Owner's own car"},
    )
    by_custodian = custodian.post(
        f"{path}/amend",
        {"decision": "release", "legal_basis": "other", "note": "n", "reason": "r"},
    )
    amended = commander.post(
        f"{path}/amend",
        {
            "decision": "release",
            "legal_basis": "other",
            "note": "Registered owner, identity verified",
            "reason": "The requester owns the car",
        },
    )

    assert unfit.status_code == 400
    assert "legal_basis: Evidence Code §1040 is no ground for a decision to release" in _text(unfit)
    assert by_custodian.status_code == 403
    assert amended.status_code == 302
    page = _text(commander.get(path))
    assert "Amend the decision" in page
    history = re.search(r'<ol class="amendments">(.*?)</ol>', page, re.S).group(1)
    assert "Was <strong>Deny</strong>" in history
    assert "The requester owns the car" in history
    assert AuditEvent.objects.filter(action="records.amend", outcome=Outcome.ALLOWED).exists()

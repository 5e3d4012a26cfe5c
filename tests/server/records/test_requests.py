"""Records requests (Policy 438.9): intake, the CPRA deadline, the commander's decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.records.actions import decide_request, extend_deadline
from platekeeper.server.records.models import RequestKind, RequestStatus
from platekeeper.server.records.queries import (
    RecordsError,
    late_requests,
    list_requests,
    open_requests_for_commander,
    request_detail,
)
from tests.server.records.conftest import as_requester, take_in

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _today() -> dt.date:
    return timezone.localdate()


def test_intake_numbers_the_request_sets_it_due_in_ten_days_and_routes_it_to_the_commander(desk):
    first = take_in(desk, days_ago=2)
    second = take_in(desk)

    year = _today().year
    assert (first.number, second.number) == (f"RR-{year}-0001", f"RR-{year}-0002")
    assert first.due_on == _today() + dt.timedelta(days=8)
    assert first.routed_to == "auditor"
    assert first.routed_to_label == "Auditor (Support Services Division Commander)"
    assert first.status == RequestStatus.AWAITING_DECISION
    assert open_requests_for_commander() == 2
    event = AuditEvent.objects.filter(action="records.intake").first()
    assert (event.username, event.case_number) == ("carla", first.number)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"requester_name": "  "}, "requester_name"),
        ({"data_sought": ""}, "data_sought"),
        ({"kind": "letter"}, "kind"),
        ({"kind": RequestKind.OTHER_AGENCY}, "agency"),
    ],
)
def test_bad_intake_is_refused_naming_the_field(desk, overrides, field):
    with pytest.raises(RecordsError, match=f"^{field}:"):
        take_in(desk, **overrides)


def test_a_request_cannot_be_received_tomorrow(desk):
    with pytest.raises(RecordsError, match=r"^received_on:"):
        take_in(desk, days_ago=-1)


def test_an_operator_may_not_take_in_a_request_and_is_audited(db):
    with pytest.raises(AccessDenied):
        take_in(as_requester("otto", Role.OPERATOR))

    assert AuditEvent.objects.get(action="records.intake").outcome == Outcome.DENIED


def test_an_administrator_may_not_read_the_queue_or_a_request_and_is_audited(desk):
    request = take_in(desk)
    administrator = as_requester("adam", Role.ADMINISTRATOR)

    with pytest.raises(AccessDenied):
        list_requests(administrator)
    with pytest.raises(AccessDenied):
        request_detail(administrator, request.number)

    refused = AuditEvent.objects.filter(action="records.view", username="adam")
    assert [e.outcome for e in refused] == [Outcome.DENIED, Outcome.DENIED]


def test_an_extension_moves_the_due_date_to_24_days_and_only_once(desk):
    request = take_in(desk, days_ago=1)

    extended = extend_deadline(desk, request.number, reason="Records at the county archive")

    assert extended.due_on == request.received_on + dt.timedelta(days=24)
    assert extended.extension_reason == "Records at the county archive"
    with pytest.raises(RecordsError, match=r"^extension: .* already extended"):
        extend_deadline(desk, request.number, reason="Still looking")
    assert request_detail(desk, request.number).due_on == extended.due_on
    assert AuditEvent.objects.filter(action="records.extend").count() == 1


def test_an_extension_needs_a_reason_and_comes_before_the_deadline(desk):
    late = take_in(desk, days_ago=11)

    with pytest.raises(RecordsError, match=r"^reason:"):
        extend_deadline(desk, late.number, reason=" ")
    with pytest.raises(RecordsError, match=r"^extension: .* before the deadline"):
        extend_deadline(desk, late.number, reason="Archive")


def test_only_the_commander_decides_a_custodian_is_refused_and_audited(desk, commander):
    request = take_in(desk)

    with pytest.raises(AccessDenied, match="decide records requests"):
        decide_request(desk, request.number, decision="deny", legal_basis="cc_1798_90_55b")
    decided = decide_request(
        commander, request.number, decision="deny", legal_basis="cc_1798_90_55b"
    )

    refusal = AuditEvent.objects.get(action="records.decide", outcome=Outcome.DENIED)
    assert refusal.username == "carla"
    assert (decided.decision, decided.decided_by.username) == ("deny", "ada")
    assert decided.status == RequestStatus.CLOSED
    assert AuditEvent.objects.get(action="records.decide", outcome=Outcome.ALLOWED).case_number == (
        request.number
    )


@pytest.mark.parametrize("decision", ["release", "partial", "deny"])
def test_a_decision_without_a_legal_basis_is_refused_naming_the_field(desk, commander, decision):
    request = take_in(desk)

    with pytest.raises(RecordsError, match=r"^legal_basis:"):
        decide_request(commander, request.number, decision=decision, legal_basis="")

    assert request_detail(desk, request.number).status == RequestStatus.AWAITING_DECISION


def test_other_needs_a_note_and_a_request_is_decided_once(desk, commander):
    request = take_in(desk)

    with pytest.raises(RecordsError, match=r"^note:"):
        decide_request(commander, request.number, decision="deny", legal_basis="other")
    decide_request(
        commander, request.number, decision="deny", legal_basis="other", note="Duplicate of 0001"
    )
    with pytest.raises(RecordsError, match=r"^decision: .* already decided"):
        decide_request(commander, request.number, decision="release", legal_basis="compelled")


def test_official_purposes_are_for_a_law_enforcement_agency_only(desk, commander):
    request = take_in(desk)

    with pytest.raises(RecordsError, match=r"^legal_basis: official purposes"):
        decide_request(
            commander, request.number, decision="release", legal_basis="official_purpose"
        )


def test_late_requests_are_the_overdue_open_ones_and_those_decided_late(desk, commander):
    overdue = take_in(desk, days_ago=15)
    decided_late = take_in(desk, days_ago=20)
    decided_in_time = take_in(desk, days_ago=3)
    take_in(desk, days_ago=5)  # open, not yet due
    take_in(desk, days_ago=400)  # overdue, but outside the year the report looks at
    for request in (decided_late, decided_in_time):
        decide_request(commander, request.number, decision="deny", legal_basis="ec_1040")

    late = late_requests()

    assert [row.number for row in late] == [decided_late.number, overdue.number]
    assert late_requests(today=_today() - dt.timedelta(days=6)) == [late[0]]


def test_the_queue_filters_by_status_soonest_due_first(desk, commander):
    overdue = take_in(desk, days_ago=12)
    fresh = take_in(desk)
    closed = take_in(desk, days_ago=1)
    decide_request(commander, closed.number, decision="deny", legal_basis="gc_7923_600")

    def numbers(status: str = "") -> list[str]:
        return [row.number for row in list_requests(desk, status=status).object_list]

    assert numbers() == [overdue.number, closed.number, fresh.number]
    assert numbers("awaiting") == [overdue.number, fresh.number]
    assert numbers("overdue") == [overdue.number]
    assert numbers("closed") == [closed.number]
    assert numbers("released") == []
    with pytest.raises(RecordsError, match=r"^status:"):
        list_requests(desk, status="lost")


def test_the_queue_is_paginated(desk, monkeypatch):
    monkeypatch.setattr("platekeeper.server.records.queries.PAGE_SIZE", 2)
    numbers = [take_in(desk).number for _ in range(3)]

    first, second = list_requests(desk, page=1), list_requests(desk, page=2)

    assert [row.number for row in first.object_list] == numbers[:2]
    assert [row.number for row in second.object_list] == numbers[2:]
    assert (first.has_next(), second.has_next()) == (True, False)

"""Records decisions that cannot contradict themselves (438.9): the basis fits the decision, an
amendment keeps what it replaced, and the request says who must act next."""

from __future__ import annotations

import pytest

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.records.actions import amend_decision, decide_request
from platekeeper.server.records.models import DecisionAmendment, RequestKind
from platekeeper.server.records.queries import (
    RELEASING_ROLES,
    RecordsError,
    may_release,
    next_step,
    people_by_role,
    request_detail,
)
from tests.server.records.conftest import take_in
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.mark.parametrize(
    ("decision", "basis", "withholding", "named"),
    [
        ("release", "gc_7923_600", "", r"legal_basis: Gov\. Code §7923\.600"),
        ("release", "cc_1798_90_55b", "", r"legal_basis: Civil Code §1798\.90\.55\(b\) is no"),
        ("deny", "compelled", "", "legal_basis: A subpoena or court order"),
        ("partial", "compelled", "", "withholding_basis: a release in part names"),
        ("partial", "compelled", "compelled", "withholding_basis: A subpoena .* no ground"),
        ("deny", "ec_1040", "gc_7922_000", "withholding_basis: only a release in part"),
        ("partial", "compelled", "other", "note: explain"),
    ],
)
def test_a_basis_that_does_not_fit_the_decision_is_refused_by_name(
    desk, commander, decision, basis, withholding, named
):
    request = take_in(desk, kind=RequestKind.SUBPOENA)

    with pytest.raises(RecordsError, match=rf"^{named}"):
        decide_request(
            commander,
            request.number,
            decision=decision,
            legal_basis=basis,
            withholding_basis=withholding,
        )
    assert not request_detail(desk, request.number).decision


def test_a_release_in_part_rests_on_a_basis_for_each_part(desk, commander):
    request = take_in(desk, kind=RequestKind.SUBPOENA)

    row = decide_request(
        commander,
        request.number,
        decision="partial",
        legal_basis="compelled",
        withholding_basis="gc_7923_600",
    )

    assert (row.legal_basis, row.withholding_basis) == ("compelled", "gc_7923_600")
    event = AuditEvent.objects.get(action="records.decide", outcome=Outcome.ALLOWED)
    assert event.query["withholding_basis"] == "gc_7923_600"


def test_an_amendment_keeps_the_decision_it_replaces_and_is_audited_with_its_reason(
    desk, commander
):
    request = take_in(desk)
    decide_request(commander, request.number, decision="deny", legal_basis="gc_7922_000")

    with pytest.raises(RecordsError, match=r"^reason:"):
        amend_decision(
            commander, request.number, reason=" ", decision="deny", legal_basis="ec_1040"
        )
    with pytest.raises(RecordsError, match=r"^legal_basis:"):
        amend_decision(
            commander, request.number, reason="x", decision="release", legal_basis="ec_1040"
        )
    amended = amend_decision(
        commander,
        request.number,
        reason="The requester's own car: release to the registered owner",
        decision="release",
        legal_basis="other",
        note="Registered owner, identity verified at the counter",
    )

    assert (amended.decision, amended.legal_basis) == ("release", "other")
    (was,) = DecisionAmendment.objects.all()
    assert (was.decision, was.legal_basis, was.decided_by.username) == (
        "deny",
        "gc_7922_000",
        "ada",
    )
    assert was.reason.startswith("The requester's own car")
    event = AuditEvent.objects.get(action="records.amend", outcome=Outcome.ALLOWED)
    assert event.query["previous"]["decision"] == "deny"
    assert event.query["reason"] == was.reason
    assert event.case_number == request.number
    with pytest.raises(RecordsError, match=r"^decision: the amendment changes nothing"):
        amend_decision(
            commander,
            request.number,
            reason="again",
            decision="release",
            legal_basis="other",
            note="Registered owner, identity verified at the counter",
        )


def test_only_the_commander_amends_and_only_a_decided_request(desk, commander):
    request = take_in(desk)
    with pytest.raises(RecordsError, match=r"^decision: .* not decided yet"):
        amend_decision(
            commander, request.number, reason="x", decision="deny", legal_basis="ec_1040"
        )
    decide_request(commander, request.number, decision="deny", legal_basis="gc_7922_000")

    with pytest.raises(AccessDenied):
        amend_decision(desk, request.number, reason="x", decision="deny", legal_basis="ec_1040")

    refused = AuditEvent.objects.get(action="records.amend", outcome=Outcome.DENIED)
    assert refused.username == "carla"
    assert not DecisionAmendment.objects.exists()


def test_the_request_says_who_acts_next_and_only_the_custodian_is_offered_the_release(
    desk, commander
):
    make_user("ivy", Role.INVESTIGATOR)
    request = take_in(desk, kind=RequestKind.SUBPOENA)
    people = people_by_role()

    waiting = next_step(request_detail(desk, request.number), people)
    assert waiting.roles == (Role.AUDITOR,)
    assert waiting.describe().startswith("Auditor (Support Services Division Commander) (ada)")
    decide_request(commander, request.number, decision="release", legal_basis="compelled")
    releasing = next_step(request_detail(desk, request.number), people)
    assert releasing.roles == RELEASING_ROLES == (Role.CUSTODIAN,)
    assert (
        releasing.describe() == "Records Custodian (carla): release the reads decided for release"
    )
    assert may_release(desk.acting_user)
    assert not may_release(commander.acting_user)
    assert not may_release(make_user("ines", Role.INVESTIGATOR))

"""Two-person approval of broad queries (issue 15, item 4): held by the gate, decided by
another person, then run once, audited with both names."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.audit import refusal_kind
from platekeeper.server.access.gate import AccessDenied, ApprovalPending, Justification, Requester
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.approvals.actions import ApprovalError, Decision, decide, set_thresholds
from platekeeper.server.approvals.models import ApprovalRequest, Status, Thresholds
from platekeeper.server.approvals.queries import approvals_for, news_count, state_of
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.investigations import queries
from platekeeper.server.investigations.areas import Circle
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import VehicleFilter, search_plate
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311", note="shots fired")
SCENE = (37.8251, -122.2324)
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: A canvass of 1.5 km over two hours: wider than the default 1 km.
WIDE = queries.Window(Circle(*SCENE, 1500), NOW - dt.timedelta(hours=2), NOW)
NARROW = queries.Window(Circle(*SCENE, 300), NOW - dt.timedelta(hours=2), NOW)


@pytest.fixture
def people():
    record_reads(
        CameraFactory(),
        [
            read_item(plate="7ABC123", vehicle_color="white"),
            read_item(plate="6LMN888", vehicle_color="white"),
        ],
    )
    return {
        "ines": Requester(make_user("ines"), channel="api"),
        "omar": Requester(make_user("omar"), channel="api"),
        "sue": Requester(make_user("sue", Role.AUDITOR), channel="api"),
    }


def held(call) -> ApprovalRequest:
    with pytest.raises(ApprovalPending) as pending:
        call()
    assert pending.value.status == 202
    return ApprovalRequest.objects.get(pk=pending.value.approval_id)


def under(requester: Requester, approval: ApprovalRequest) -> Requester:
    return dataclasses.replace(requester, approval=approval.pk)


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def test_a_wide_canvass_is_held_and_runs_once_after_another_person_approves(people):
    ines, sue = people["ines"], people["sue"]

    approval = held(lambda: queries.canvass(ines, CASE, WIDE))

    assert approval.status == Status.AWAITING
    assert approval.requester_name == "ines"
    assert "radius 1,500 m is over 1,000 m" in approval.why
    # Every field of the justification, whatever fields it has.
    assert approval.justification == dataclasses.asdict(CASE)
    assert approval.parameters["circle"] == [*SCENE, 1500]
    refused = last_event("reads.canvass")
    assert (refused.outcome, refused.username) == (Outcome.DENIED, "ines")
    assert refused.reason.startswith(f"awaiting approval #{approval.pk}")
    assert refusal_kind(refused.reason) == "awaiting approval"  # as /transparency counts it

    # Not before a decision.
    with pytest.raises(AccessDenied, match="still awaiting"):
        queries.canvass(under(ines, approval), CASE, WIDE)

    decide(sue, approval.pk, Decision(approve=True, note="homicide, 24-0311"))
    page = queries.canvass(under(ines, approval), CASE, WIDE)

    assert sorted(r.plate for r in page.results) == ["6LMN888", "7ABC123"]
    ran = last_event("reads.canvass")
    assert (ran.outcome, ran.username) == (Outcome.ALLOWED, "ines")
    assert (ran.query["approval"], ran.query["approved_by"]) == (approval.pk, "sue")
    assert last_event("approvals.approve").username == "sue"
    approval.refresh_from_db()
    assert approval.status == Status.RUN
    assert approval.run_at is not None

    with pytest.raises(AccessDenied, match="already run"):
        queries.canvass(under(ines, approval), CASE, WIDE)
    assert last_event("reads.canvass").outcome == Outcome.DENIED


def test_the_requester_may_never_approve_their_own_request(people):
    sue = people["sue"]  # the supervisor holds the permission, and may canvass too
    approval = held(lambda: queries.canvass(sue, CASE, WIDE))

    with pytest.raises(AccessDenied, match="your own request"):
        decide(sue, approval.pk, Decision(approve=True))

    approval.refresh_from_db()
    assert approval.status == Status.AWAITING
    assert last_event("approvals.approve").outcome == Outcome.DENIED


def test_a_person_without_the_permission_may_not_decide(people):
    approval = held(lambda: queries.canvass(people["ines"], CASE, WIDE))

    with pytest.raises(AccessDenied, match="your role may not approve"):
        decide(people["omar"], approval.pk, Decision(approve=True))
    assert last_event("approvals.approve").username == "omar"


def test_a_denial_needs_a_note_and_the_denied_request_never_runs(people):
    ines, sue = people["ines"], people["sue"]
    approval = held(lambda: queries.canvass(ines, CASE, WIDE))

    with pytest.raises(ApprovalError, match="note: say why"):
        decide(sue, approval.pk, Decision(approve=False, note="  "))
    decide(sue, approval.pk, Decision(approve=False, note="narrow it to the block"))

    with pytest.raises(AccessDenied, match="denied by sue: narrow it to the block"):
        queries.canvass(under(ines, approval), CASE, WIDE)
    with pytest.raises(ApprovalError, match="already decided"):
        decide(sue, approval.pk, Decision(approve=True))
    assert news_count(ines) == 1


def test_an_approval_runs_only_the_request_it_was_given_for_by_its_requester(people):
    ines, omar, sue = people["ines"], people["omar"], people["sue"]
    approval = held(lambda: queries.canvass(ines, CASE, WIDE))
    decide(sue, approval.pk, Decision(approve=True))
    wider = queries.Window(Circle(*SCENE, 1900), WIDE.start, WIDE.end)

    with pytest.raises(AccessDenied, match="another request"):
        queries.canvass(under(ines, approval), CASE, wider)
    with pytest.raises(AccessDenied, match="asked by another person"):
        queries.canvass(under(omar, approval), CASE, WIDE)
    other_case = Justification(purpose="crime_scene_canvass", case_number="24-9999")
    with pytest.raises(AccessDenied, match="another request"):
        queries.canvass(under(ines, approval), other_case, WIDE)


def test_an_approval_not_run_in_time_expires(people):
    ines, sue = people["ines"], people["sue"]
    approval = held(lambda: queries.canvass(ines, CASE, WIDE))
    decide(sue, approval.pk, Decision(approve=True))
    ApprovalRequest.objects.filter(pk=approval.pk).update(
        decided_at=timezone.now() - dt.timedelta(hours=25)
    )
    approval.refresh_from_db()

    assert state_of(approval) == "expired"
    with pytest.raises(AccessDenied, match="expired"):
        queries.canvass(under(ines, approval), CASE, WIDE)


def test_a_narrow_canvass_runs_at_once_and_the_thresholds_can_be_changed(people):
    ines = people["ines"]
    assert len(queries.canvass(ines, CASE, NARROW).results) == 2
    assert not ApprovalRequest.objects.exists()

    set_thresholds(requester=SETUP_REQUESTER, canvass_radius_m=2000)

    assert Thresholds.current().canvass_radius_m == 2000
    assert len(queries.canvass(ines, CASE, WIDE).results) == 2
    changed = last_event("approvals.thresholds")
    assert changed.query == {"canvass_radius_m": {"from": 1000, "to": 2000}}
    with pytest.raises(ApprovalError, match="export_rows: must be at least 1"):
        set_thresholds(requester=SETUP_REQUESTER, export_rows=0)


def test_a_long_canvass_grouped_by_plate_is_held_too(people):
    two_days = queries.Window(Circle(*SCENE, 300), NOW - dt.timedelta(days=2), NOW)

    approval = held(lambda: queries.canvass_by_plate(people["ines"], CASE, two_days))

    assert "window 48.0 h is over 24 h" in approval.why


def test_an_export_of_more_reads_than_the_threshold_is_held_until_approved(people):
    ines, sue = people["ines"], people["sue"]
    set_thresholds(requester=SETUP_REQUESTER, export_rows=1)

    approval = held(lambda: queries.export(ines, CASE, NARROW, "csv"))

    assert approval.kind == "export"
    assert "2 reads is more than 1" in approval.why
    assert last_event("reads.export").outcome == Outcome.DENIED
    decide(sue, approval.pk, Decision(approve=True))
    document = queries.export(under(ines, approval), CASE, NARROW, "csv")
    assert document.body.count(b"\n") == 3  # header and two reads
    assert last_event("reads.export").query["approved_by"] == "sue"


def test_partial_plates_searches_without_a_plate_and_long_search_backs_are_held(people):
    ines = people["ines"]
    week = {"start": NOW - dt.timedelta(days=8), "end": NOW}

    partial = held(lambda: search_plate(ines, CASE, plate="7A??1*", **week))
    assert partial.kind == "partial"
    assert "3 known characters" in partial.why
    # Five known characters, or three days, are not broad.
    search_plate(ines, CASE, plate="7ABC1*", **week)
    search_plate(ines, CASE, plate="7A??1*", start=NOW - dt.timedelta(days=3), end=NOW)

    white = VehicleFilter(color="white")
    vehicle = held(
        lambda: search_plate(ines, CASE, vehicle=white, start=NOW - dt.timedelta(days=1), end=NOW)
    )
    assert vehicle.kind == "vehicle"

    hotlist = create_hotlist("Burglary", requester=SETUP_REQUESTER)
    back = held(
        lambda: add_entry(
            hotlist, "7ABC123", requester=ines, justification=CASE, search_back_days=14
        )
    )
    assert back.kind == "search_back"
    assert "14.0 days is more than 7" in back.why
    decide(people["sue"], back.pk, Decision(approve=True))
    entered = add_entry(
        hotlist, "7ABC123", requester=under(ines, back), justification=CASE, search_back_days=14
    )
    assert [r.plate for r in entered.search_back.results] == ["7ABC123"]


def test_the_list_shows_ones_own_requests_and_the_supervisor_the_queue(people):
    ines, omar, sue = people["ines"], people["omar"], people["sue"]
    mine = held(lambda: queries.canvass(ines, CASE, WIDE))
    held(lambda: queries.canvass(omar, CASE, WIDE))

    assert [a.pk for a in approvals_for(ines).mine] == [mine.pk]
    assert approvals_for(ines).to_decide == []
    queue = approvals_for(sue)
    assert queue.may_decide
    assert {a.requester_name for a in queue.to_decide} == {"ines", "omar"}

"""Evidence holds (gated, audited, released only with a reason) and the retention schedule."""

from __future__ import annotations

import pytest

from platekeeper.server.access.gate import AccessDenied, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.retention.actions import (
    HoldSelection,
    RetentionError,
    place_hold,
    release_holds,
    set_retention,
)
from platekeeper.server.retention.models import HoldReason
from platekeeper.server.retention.queries import (
    RetentionKind,
    current_settings,
    list_holds,
    retention_schedule,
)
from tests.server.retention.conftest import CASE, days_ago, hold_plate, store_reads
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def test_a_hold_on_a_plate_in_a_window_keeps_exactly_those_reads_and_is_audited(camera):
    inside = store_reads(camera, captured_at=days_ago(10), count=2, plate="8HLD001")
    store_reads(camera, captured_at=days_ago(40), plate="8HLD001")  # before the window
    store_reads(camera, captured_at=days_ago(10), plate="5OTHER1")  # another plate
    investigator = make_user("ines", Role.INVESTIGATOR)

    hold = hold_plate(
        Requester(investigator, channel="ui"), plate="8hld001", start=days_ago(20), end=days_ago(1)
    )

    assert sorted(str(i) for i in hold.items.values_list("read_id", flat=True)) == sorted(inside)
    event = AuditEvent.objects.get(action="retention.hold_place")
    assert (event.username, event.case_number, event.outcome) == ("ines", CASE, "allowed")
    assert sorted(event.record_ids) == sorted(inside)
    assert event.query["reason"] == "criminal_action"
    assert event.query["requested_by"] == "DDA J. Doe"
    [summary] = list_holds(SETUP_REQUESTER)
    assert (summary.case_number, summary.read_count, summary.placed_by) == (CASE, 2, "ines")


def test_a_hold_from_search_results_by_read_id(camera):
    ids = store_reads(camera, captured_at=days_ago(3), count=3)
    requester = Requester(make_user("carla", Role.CUSTODIAN), channel="ui")

    hold = place_hold(
        requester,
        purpose="criminal_investigation",
        case_number="CV-7",
        reason=HoldReason.DISCOVERY_REQUEST,
        requested_by="Subpoena 2026-114",
        selection=HoldSelection(read_ids=tuple(ids[:2])),
    )

    assert hold.items.count() == 2


@pytest.mark.parametrize(
    ("role", "training", "refusal"),
    [
        (Role.OPERATOR, "current", "your role may not place evidence holds"),
        (Role.INVESTIGATOR, "lapsed", "ALPR training lapsed"),
    ],
)
def test_placing_a_hold_is_refused_without_the_permission_or_training(
    camera, role, training, refusal
):
    store_reads(camera, captured_at=days_ago(3))
    user = make_user("oscar", role, training=training)

    with pytest.raises(AccessDenied, match=refusal):
        hold_plate(Requester(user, channel="cli"))

    assert AuditEvent.objects.get(action="retention.hold_place").outcome == "denied"
    assert list_holds(SETUP_REQUESTER) == []


def test_a_hold_needs_who_asked_for_it_and_matching_reads(camera):
    requester = Requester(make_user(), channel="cli")

    with pytest.raises(RetentionError, match="requested_by"):
        place_hold(
            requester,
            purpose="criminal_investigation",
            case_number=CASE,
            reason=HoldReason.CIVIL_ACTION,
            requested_by=" ",
            selection=HoldSelection(plate="7ABC123"),
        )
    with pytest.raises(RetentionError, match="no stored reads match"):
        hold_plate(requester, plate="1NONE11")


def test_release_needs_a_reason_and_the_right_person(camera):
    store_reads(camera, captured_at=days_ago(3))
    ines = make_user("ines", Role.INVESTIGATOR)
    other = make_user("ivan", Role.INVESTIGATOR)
    hold_plate(Requester(ines, channel="cli"))

    with pytest.raises(RetentionError, match="needs a reason"):
        release_holds(CASE, requester=Requester.person(ines, channel="cli"), reason="")
    with pytest.raises(RetentionError, match="only a Records Custodian"):
        release_holds(CASE, requester=Requester.person(other, channel="cli"), reason="not mine")
    released = release_holds(
        CASE, requester=Requester.person(ines, channel="cli"), reason="charges dropped"
    )

    assert len(released) == 1
    assert list_holds(SETUP_REQUESTER) == []
    [summary] = list_holds(SETUP_REQUESTER, include_released=True)
    assert (summary.released_by, summary.release_reason) == ("ines", "charges dropped")
    outcomes = list(
        AuditEvent.objects.filter(action="retention.hold_release").values_list("outcome", flat=True)
    )
    assert outcomes == ["denied", "denied", "allowed"]


def test_a_custodian_releases_anyones_hold(camera):
    store_reads(camera, captured_at=days_ago(3))
    hold_plate(Requester(make_user("ines", Role.INVESTIGATOR), channel="cli"))

    release_holds(
        CASE,
        requester=Requester.person(make_user("carla", Role.CUSTODIAN), channel="ui"),
        reason="DA declined",
    )

    assert list_holds(SETUP_REQUESTER) == []


def test_the_schedule_has_policy_defaults():
    row = current_settings()

    assert (row.reads_days, row.images_days, row.audit_days) == (365, 365, 1095)
    assert row.override_reason == ""


def test_a_period_below_one_year_is_refused_without_an_override():
    with pytest.raises(RetentionError, match=r"reads \(180 < 365\).*--override-reason"):
        set_retention({RetentionKind.READS: 180}, requester=SETUP_REQUESTER)

    assert current_settings().reads_days == 365
    assert not AuditEvent.objects.filter(action="retention.settings").exists()


def test_an_override_is_recorded_audited_and_shown():
    set_retention(
        {RetentionKind.READS: 180},
        requester=SETUP_REQUESTER,
        override_reason="City council resolution 2026-41",
    )

    schedule = retention_schedule()
    assert schedule.override_reason == "City council resolution 2026-41"
    assert schedule.override_by == SETUP_REQUESTER.username
    event = AuditEvent.objects.get(action="retention.settings")
    assert event.reason == "City council resolution 2026-41"
    assert (event.query["before"]["reads"], event.query["after"]["reads"]) == (365, 180)

    set_retention({RetentionKind.READS: 400}, requester=SETUP_REQUESTER)
    assert retention_schedule().override_reason == ""  # nothing is below the minimum any more


def test_the_audit_log_may_not_be_kept_shorter_than_the_data():
    with pytest.raises(RetentionError, match="must outlive the data"):
        set_retention({RetentionKind.READS: 1500}, requester=SETUP_REQUESTER)

    set_retention({RetentionKind.AUDIT: 2000, RetentionKind.READS: 1500}, requester=SETUP_REQUESTER)
    with pytest.raises(RetentionError, match="must outlive the data"):
        set_retention({RetentionKind.AUDIT: 1200}, requester=SETUP_REQUESTER, override_reason="x")
    assert current_settings().audit_days == 2000


@pytest.mark.parametrize("role", [Role.INVESTIGATOR, Role.AUDITOR])
def test_only_a_records_custodian_changes_the_schedule_and_a_refusal_is_audited(role):
    who = Requester.person(make_user("pat", role), channel="ui")

    with pytest.raises(AccessDenied, match="your role may not"):
        set_retention({RetentionKind.READS: 400}, requester=who)

    assert current_settings().reads_days == 365
    refusal = AuditEvent.objects.get(action="retention.settings")
    assert (refusal.outcome, refusal.username) == ("denied", "pat")


def test_an_auditor_may_not_release_a_hold_and_the_refusal_is_audited(camera):
    store_reads(camera, captured_at=days_ago(10), plate="8HLD001")
    hold_plate(Requester(make_user("ines", Role.INVESTIGATOR), channel="ui"), plate="8HLD001")
    auditor = Requester.person(make_user("audra", Role.AUDITOR), channel="cli")

    with pytest.raises(AccessDenied):
        release_holds(CASE, requester=auditor, reason="looks closed")

    assert len(list_holds(SETUP_REQUESTER)) == 1
    refusal = AuditEvent.objects.get(action="retention.hold_release")
    assert (refusal.outcome, refusal.username) == ("denied", "audra")

"""Prohibited purposes: refused whatever the configuration, in purposes and in free text."""

from __future__ import annotations

import pytest
from django.utils import timezone

from platekeeper.server.access.actions import PurposeError, add_purpose, set_purpose_active
from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.access.models import AuditEvent, Purpose
from platekeeper.server.access.prohibited import find_prohibited
from platekeeper.server.access.reports import build_report
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.queries import search_plate
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _admin() -> Requester:
    return Requester.person(make_user("ada", Role.ADMINISTRATOR), channel="cli")


@pytest.mark.parametrize(
    ("code", "label", "law"),
    [
        ("ice_hold", "ICE hold follow-up", "§7284.6"),
        ("deportation", "Deportation support", "§7284.6"),
        ("clinic_visits", "Abortion clinic visitors", "§13778.2"),
        ("protest_watch", "Protest monitoring", "First Amendment"),
    ],
)
def test_a_prohibited_purpose_cannot_be_created_and_the_refusal_is_audited(code, label, law):
    with pytest.raises(PurposeError, match=law):
        add_purpose(code, label, requester=_admin())

    assert not Purpose.objects.filter(code=code).exists()
    event = AuditEvent.objects.get(action="purpose.add")
    assert event.outcome == "denied"
    assert event.reason.startswith("prohibited purpose")


def test_an_allowed_purpose_is_added_and_a_prohibited_one_is_never_reactivated():
    admin = _admin()
    added = add_purpose("robbery", "Robbery investigation", requester=admin)
    assert added.active
    # A purpose that slipped into an old database is refused on activation and at access.
    Purpose.objects.create(code="immigration", label="Immigration", active=False)

    with pytest.raises(PurposeError, match=r"7284\.6"):
        set_purpose_active("immigration", True, requester=admin)
    assert not Purpose.objects.get(code="immigration").active


def test_a_note_saying_ice_hold_refuses_the_search_and_is_flagged():
    user = make_user()
    requester = Requester.person(user, channel="api")
    stated = Justification("stolen_vehicle", "24-00123", note="ICE hold for the subject")

    with pytest.raises(AccessDenied, match=r"Government Code §7284\.6"):
        search_plate(requester, stated, plate="7ABC123")

    event = AuditEvent.objects.get(action="reads.search")
    assert (event.outcome, event.reason.split(":")[0]) == ("denied", "prohibited purpose")
    today = timezone.localdate()
    auditor = Requester.person(make_user("aud", Role.AUDITOR), channel="cli")
    flagged = build_report("prohibited_purpose", start=today, end=today, requester=auditor)
    assert [row[0] for row in flagged.rows] == [event.id]


def test_a_case_number_naming_immigration_is_refused_but_police_work_passes():
    requester = Requester.person(make_user(), channel="api")

    with pytest.raises(AccessDenied, match="prohibited purpose"):
        search_plate(requester, Justification("stolen_vehicle", "immigration 24-1"), plate="7ABC1")
    page = search_plate(
        requester,
        Justification("stolen_vehicle", "24-00123", note="police device found by Alice"),
        plate="7ABC1",
    )

    assert page.results == []
    assert AuditEvent.objects.filter(action="reads.search", outcome="allowed").count() == 1


@pytest.mark.parametrize(
    "text",
    ["police", "device", "Alice", "price of ice", "slice", "Iceland", "service", "juice"],
)
def test_ordinary_words_never_trip_the_screen(text):
    assert find_prohibited([("note", text)]) is None


@pytest.mark.parametrize(
    "text", ["ICE", "ice hold", "Ice Detainer", "deported", "ABORTION", "protesters", "Mosque"]
)
def test_the_screen_catches_the_listed_words_in_any_case(text):
    assert find_prohibited([("note", text)]) is not None

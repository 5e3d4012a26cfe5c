"""The access gate: who is refused ALPR data, why, and that every attempt is audited."""

from __future__ import annotations

import pytest

from platekeeper.server.access.actions import disable_user
from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.access.models import AuditEvent, User
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import read_detail, read_image, search_plate
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="stolen_vehicle", case_number="24-00123")


@pytest.fixture
def stored_reads():
    import base64

    camera = CameraFactory()
    crop = base64.b64encode(image_bytes()).decode()
    items = [read_item(plate="7ABC123", plate_crop=crop) for _ in range(3)]
    record_reads(camera, items)
    return items


def _search(user: User, justification: Justification | None = CASE):
    return search_plate(
        Requester(user, channel="api", client_address="10.0.0.7"), justification, plate="7abc123"
    )


def _data_events():
    return AuditEvent.objects.exclude(action__startswith="user.").exclude(
        action__startswith="training."
    )


def test_an_allowed_search_writes_exactly_one_complete_audit_event(stored_reads):
    user = make_user()

    page = _search(user)

    assert len(page.results) == 3
    event = _data_events().get()
    assert event.username == "ines"
    assert event.agency == user.agency.name
    assert (event.action, event.outcome) == ("reads.search", "allowed")
    assert (event.purpose, event.case_number) == ("stolen_vehicle", "24-00123")
    assert event.query["plate"] == "7ABC123"
    assert sorted(event.record_ids) == sorted(i["id"] for i in stored_reads)
    assert event.record_count == 3
    assert (event.client_address, event.channel) == ("10.0.0.7", "api")
    assert event.occurred_at is not None


@pytest.mark.parametrize(
    ("setup", "justification", "reason"),
    [
        ({"training": "none"}, CASE, "no ALPR training is on record"),
        ({"training": "lapsed"}, CASE, "ALPR training lapsed on"),
        ({"role": Role.ADMINISTRATOR}, CASE, "your role may not search plate reads"),
        ({}, None, "purpose: is required"),
        ({}, Justification(purpose="curiosity", case_number="1"), "'curiosity' is not a known"),
        ({}, Justification(purpose="warrant"), "case_number: is required"),
    ],
)
def test_refusals_name_the_reason_and_are_audited(stored_reads, setup, justification, reason):
    user = make_user(**setup)

    with pytest.raises(AccessDenied, match=reason):
        _search(user, justification)

    event = _data_events().get()
    assert event.outcome == "denied"
    assert reason in event.reason
    assert event.record_ids == []


def test_a_disabled_user_is_refused(stored_reads):
    user = make_user()
    disable_user("ines", requester=SETUP_REQUESTER)
    user.refresh_from_db()

    with pytest.raises(AccessDenied, match="disabled"):
        _search(user)


def test_a_purpose_marked_exempt_needs_no_case_number(stored_reads):
    user = make_user()

    page = _search(user, Justification(purpose="amber_alert"))

    assert len(page.results) == 3


def test_detail_and_image_are_audited_accesses_too(stored_reads):
    user = make_user()
    requester = Requester(user, channel="ui")

    detail = read_detail(requester, CASE, stored_reads[0]["id"])
    data, content_type = read_image(requester, CASE, detail.plate_crop_sha256)

    assert content_type == "image/jpeg"
    assert data.startswith(b"\xff\xd8")
    assert list(_data_events().values_list("action", flat=True)) == ["reads.detail", "images.view"]


def test_search_pages_newest_first_with_a_cursor():
    camera = CameraFactory()
    items = [read_item(plate="8XYZ999", captured_at=f"2026-11-2{d}T10:00:00Z") for d in range(1, 6)]
    record_reads(camera, items)
    requester = Requester(make_user(), channel="api")

    first = search_plate(requester, CASE, plate="8XYZ999", limit=2)
    second = search_plate(requester, CASE, plate="8XYZ999", limit=2, cursor=first.next_cursor)
    third = search_plate(requester, CASE, plate="8XYZ999", limit=2, cursor=second.next_cursor)

    days = [r.captured_at.day for page in (first, second, third) for r in page.results]
    assert days == [25, 24, 23, 22, 21]
    assert third.next_cursor is None

"""Raised and verified alerts reach dispatch signed, retried until accepted, each send audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.alerts.actions import close_alert, record_clets_check, record_visual_check
from platekeeper.server.alerts.models import Alert
from platekeeper.server.dispatch.actions import set_dispatch_target
from platekeeper.server.dispatch.models import DeliveryStatus, DispatchDelivery
from platekeeper.server.dispatch.sender import MAX_ATTEMPTS, send_due_deliveries
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def dispatched(hotlist, receiver, secret_file):
    set_dispatch_target(
        hotlist.name, requester=SETUP_REQUESTER, url=receiver.url, secret_file=str(secret_file)
    )
    return hotlist


def _dispatch_audits() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="alerts.dispatch").order_by("id"))


def test_a_raised_alert_is_sent_signed_with_only_what_dispatch_needs(device, dispatched, receiver):
    device.post_reads([read_item(plate="7ABC123", state="CA")])
    alert = Alert.objects.get()

    assert send_due_deliveries() == 1

    (request,) = receiver.accepted
    assert request["signed"]
    assert request["event"] == "alert.raised"
    body = request["body"]
    assert set(body) == {"event", "alert", "plate", "state", "list", "place", "time", "link"}
    assert (body["plate"], body["state"], body["list"]) == ("7ABC123", "CA", "CA stolen vehicles")
    assert body["place"]["camera"] == alert.read.camera.name
    assert body["link"].endswith(f"/alerts/{alert.pk}")
    assert dt.datetime.fromisoformat(body["time"]) == alert.read.captured_at
    (audit,) = _dispatch_audits()
    assert (audit.username, audit.outcome, audit.record_ids) == (
        "system:alert-dispatch",
        "allowed",
        [str(alert.read_id)],
    )
    assert audit.query["url"] == receiver.url
    assert send_due_deliveries() == 0  # delivered once


def test_a_receiver_that_fails_twice_gets_it_on_the_third_try_after_backing_off(
    device, dispatched, receiver
):
    receiver.failures = 2
    device.post_reads([read_item(plate="7ABC123", state="CA")])
    start = timezone.now()

    assert send_due_deliveries(start) == 0
    assert send_due_deliveries(start + dt.timedelta(seconds=10)) == 0  # not due yet
    assert send_due_deliveries(start + dt.timedelta(seconds=31)) == 0
    delivery = DispatchDelivery.objects.get()
    assert (delivery.attempts, delivery.status) == (2, DeliveryStatus.PENDING)
    assert "answered 500" in delivery.last_error
    assert send_due_deliveries(start + dt.timedelta(seconds=31 + 61)) == 1
    assert send_due_deliveries(start + dt.timedelta(days=1)) == 0

    assert len(receiver.requests) == 3
    assert len({request["delivery"] for request in receiver.requests}) == 1  # one delivery id
    assert len(receiver.accepted) == 1
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status) == (3, DeliveryStatus.DELIVERED)
    assert [audit.query["attempt"] for audit in _dispatch_audits()] == [1, 2, 3]


def test_a_verified_hit_is_sent_too(device, dispatched, receiver):
    device.post_reads([read_item(plate="7ABC123", state="CA")])
    alert = Alert.objects.get()
    who = as_person(make_user("olivia", Role.OPERATOR))
    record_visual_check(alert.pk, "match", requester=who, note="Plate and Civic match")
    record_clets_check(alert.pk, "on_file", requester=who, note="CLETS: stolen 11/20")
    close_alert(alert.pk, "verified", requester=who, note="Confirmed stolen")

    assert send_due_deliveries() == 2

    assert [request["event"] for request in receiver.accepted] == ["alert.raised", "alert.verified"]


def test_ingest_does_not_wait_for_a_dispatch_system_that_is_down(device, hotlist, secret_file):
    set_dispatch_target(
        hotlist.name,
        requester=SETUP_REQUESTER,
        url="http://127.0.0.1:9/down",
        secret_file=str(secret_file),
    )

    response = device.post_reads([read_item(plate="7ABC123", state="CA")])

    assert response.status_code == 200
    assert DispatchDelivery.objects.get().status == DeliveryStatus.PENDING
    start = timezone.now()
    for attempt in range(MAX_ATTEMPTS):
        send_due_deliveries(start + dt.timedelta(days=attempt))
    delivery = DispatchDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)
    assert delivery.last_error


def test_a_list_without_a_target_queues_nothing(device, hotlist):
    device.post_reads([read_item(plate="7ABC123", state="CA")])

    assert Alert.objects.exists()
    assert not DispatchDelivery.objects.exists()

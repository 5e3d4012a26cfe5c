"""An alert is verified step by step before any enforcement action (Policy 438.3(f))."""

from __future__ import annotations

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.alerts.actions import (
    AlertError,
    acknowledge,
    close_alert,
    record_clets_check,
    record_enforcement,
    record_visual_check,
)
from platekeeper.server.alerts.models import Alert, AlertStatus
from tests.support.factories import read_item
from tests.support.people import SETUP_ACTOR, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]
JUSTIFIED = "purpose=stolen_vehicle&case_number=24-001"


@pytest.fixture
def alert(device, hotlist) -> Alert:
    device.post_reads([read_item(plate="7ABC123", state="CA")])
    return Alert.objects.get()


@pytest.fixture
def officer():
    return make_user("olivia", Role.OPERATOR)


def test_enforcement_is_refused_until_both_checks_and_a_verified_hit(alert, officer):
    with pytest.raises(AlertError, match="visual check and the CLETS/NCIC check first"):
        record_enforcement(alert.pk, user=officer, note="Stopped vehicle")
    record_visual_check(alert.pk, "match", user=officer, note="Plate and Civic match")
    with pytest.raises(AlertError, match="verified only after"):
        close_alert(alert.pk, "verified", user=officer, note="Looks right")
    record_clets_check(alert.pk, "on_file", user=officer, note="CLETS: stolen 11/20")
    close_alert(alert.pk, "verified", user=officer, note="Confirmed stolen")

    record_enforcement(alert.pk, user=officer, note="Vehicle recovered, driver detained")

    alert.refresh_from_db()
    assert (alert.status, alert.enforcement_recorded) == (AlertStatus.VERIFIED, True)
    steps = list(alert.actions.values_list("action", "value"))
    assert steps == [
        ("visual_check", "match"),
        ("clets_check", "on_file"),
        ("close", "verified"),
        ("enforcement", ""),
    ]
    assert AuditEvent.objects.filter(action__startswith="alerts.").count() == 4


def test_a_misread_needs_a_note_and_closes_the_alert(alert, officer):
    with pytest.raises(AlertError, match="note"):
        close_alert(alert.pk, "misread", user=officer, note=" ")

    close_alert(alert.pk, "misread", user=officer, note="Plate reads 7ABC128 on the image")

    with pytest.raises(AlertError, match="already closed"):
        record_visual_check(alert.pk, "match", user=officer)


def test_alerts_api_lists_with_a_purpose_and_records_steps(alert, officer):
    token = create_personal_token("olivia", actor=SETUP_ACTOR)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})

    listing = client.get(f"/api/v1/alerts?{JUSTIFIED}").json()
    refused = client.get("/api/v1/alerts")
    step = client.post(
        f"/api/v1/alerts/{alert.pk}/visual-check?{JUSTIFIED}",
        data={"result": "mismatch", "note": "Different car"},
        content_type="application/json",
    )

    assert listing["results"][0]["entry_plate"] == "7ABC123"
    assert listing["results"][0]["stale"] is False
    assert listing["next"] is None
    assert refused.status_code == 400
    assert step.json()["visual_check"] == "mismatch"


def test_alerts_api_detail_carries_the_summary_and_its_history(alert, officer):
    token = create_personal_token("olivia", actor=SETUP_ACTOR)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    acknowledge(alert.pk, user=officer)

    detail = client.get(f"/api/v1/alerts/{alert.pk}?{JUSTIFIED}")

    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert (body["id"], body["entry_plate"], body["status"]) == (
        alert.pk,
        "7ABC123",
        "acknowledged",
    )
    assert [step["action"] for step in body["history"]] == ["acknowledge"]

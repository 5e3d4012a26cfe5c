"""An alert is verified step by step before any enforcement action (Policy 438.3(f))."""

from __future__ import annotations

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.gate import AccessDenied
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
from tests.support.people import SETUP_REQUESTER, as_person, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

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
    who = as_person(officer)
    with pytest.raises(AlertError, match="visual check and the CLETS/NCIC check first"):
        record_enforcement(alert.pk, requester=who, note="Stopped vehicle")
    record_visual_check(alert.pk, "match", requester=who, note="Plate and Civic match")
    with pytest.raises(AlertError, match="verified only after"):
        close_alert(alert.pk, "verified", requester=who, note="Looks right")
    record_clets_check(alert.pk, "on_file", requester=who, note="CLETS: stolen 11/20")
    close_alert(alert.pk, "verified", requester=who, note="Confirmed stolen")

    record_enforcement(alert.pk, requester=who, note="Vehicle recovered, driver detained")

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
    who = as_person(officer)
    with pytest.raises(AlertError, match="note"):
        close_alert(alert.pk, "misread", requester=who, note=" ")

    close_alert(alert.pk, "misread", requester=who, note="Plate reads 7ABC128 on the image")

    with pytest.raises(AlertError, match="already closed"):
        record_visual_check(alert.pk, "match", requester=who)


def test_alerts_api_lists_with_a_purpose_and_records_steps(alert, officer):
    token = create_personal_token("olivia", requester=SETUP_REQUESTER)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})

    listing = client.get(f"/api/v1/alerts?{JUSTIFIED}").json()
    patrol = client.get("/api/v1/alerts")
    step = client.post(
        f"/api/v1/alerts/{alert.pk}/visual-check?{JUSTIFIED}",
        data={"result": "mismatch", "note": "Different car"},
        content_type="application/json",
    )

    assert listing["results"][0]["entry_plate"] == "7ABC123"
    assert listing["results"][0]["stale"] is False
    assert listing["next"] is None
    assert patrol.status_code == 200  # no purpose stated: patrol monitoring, no case number
    assert AuditEvent.objects.filter(action="alerts.list").last().purpose == (
        "hotlist_alert_response"
    )
    assert step.json()["visual_check"] == "mismatch"


def test_alerts_api_detail_carries_the_summary_and_its_history(alert, officer):
    who = as_person(officer)
    token = create_personal_token("olivia", requester=SETUP_REQUESTER)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    acknowledge(alert.pk, requester=who)

    detail = client.get(f"/api/v1/alerts/{alert.pk}?{JUSTIFIED}")

    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert (body["id"], body["entry_plate"], body["status"]) == (
        alert.pk,
        "7ABC123",
        "acknowledged",
    )
    assert [step["action"] for step in body["history"]] == ["acknowledge"]


def _api(username: str) -> Client:
    token = create_personal_token(username, requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_partner_agency_may_not_close_this_departments_alert(alert):
    """GIVEN a partner whose agreement shares alerts WHEN its token closes one of our alerts
    THEN it is refused (403), the alert stays open, and the refusal is audited."""
    oakland = partner_agency()
    agreement_with(oakland, scopes=["alerts"], purposes=["stolen_vehicle"])
    sharing_on()
    make_user("alex", Role.PARTNER, agency=oakland)
    client = _api("alex")

    seen = client.get(f"/api/v1/alerts?{JUSTIFIED}")
    closed = client.post(
        f"/api/v1/alerts/{alert.pk}/close?{JUSTIFIED}",
        data={"result": "cleared", "note": "not ours"},
        content_type="application/json",
    )

    assert seen.status_code == 200, seen.content
    assert closed.status_code == 403, closed.content
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW
    assert AuditEvent.objects.get(action="alerts.close").outcome == "denied"


@pytest.mark.parametrize("step", ["acknowledge", "close"])
def test_an_auditor_may_not_act_on_alerts(alert, step):
    make_user("audrey", Role.AUDITOR)
    response = _api("audrey").post(
        f"/api/v1/alerts/{alert.pk}/{step}?{JUSTIFIED}",
        data={"result": "misread", "note": "looks wrong"},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "your role may not acknowledge" in response.json()["detail"]
    alert.refresh_from_db()
    assert alert.status == AlertStatus.NEW


def test_a_step_is_audited_with_purpose_case_channel_and_address(alert, officer):
    client = _api("olivia")
    patrol = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge", content_type="application/json")
    stated = client.post(
        f"/api/v1/alerts/{alert.pk}/visual-check?{JUSTIFIED}",
        data={"result": "match"},
        content_type="application/json",
    )

    assert (patrol.status_code, stated.status_code) == (200, 200)
    steps = AuditEvent.objects.filter(action__in=["alerts.acknowledge", "alerts.visual_check"])
    assert [(e.purpose, e.case_number, e.channel, e.client_address) for e in steps] == [
        ("hotlist_alert_response", "", "api", "127.0.0.1"),
        ("stolen_vehicle", "24-001", "api", "127.0.0.1"),
    ]


def test_an_alert_that_does_not_exist_answers_404_and_is_audited(officer):
    client = _api("olivia")
    detail = client.get("/api/v1/alerts/999999")
    step = client.post("/api/v1/alerts/999999/acknowledge", content_type="application/json")

    assert (detail.status_code, step.status_code) == (404, 404)
    probes = AuditEvent.objects.filter(outcome="not_found")
    assert [e.action for e in probes] == ["alerts.detail", "alerts.acknowledge"]
    assert all(e.username == "olivia" for e in probes)


def test_a_step_whose_note_names_a_prohibited_purpose_is_refused_and_not_recorded(alert, officer):
    who = as_person(officer)

    with pytest.raises(AccessDenied, match=r"Government Code §7284\.6"):
        record_visual_check(alert.pk, "match", requester=who, note="Match, hand over for ICE hold")

    alert.refresh_from_db()
    assert (alert.visual_check, alert.actions.count()) == ("", 0)
    refused = AuditEvent.objects.get(action="alerts.visual_check")
    assert (refused.outcome, refused.reason.split(":")[0]) == ("denied", "prohibited purpose")

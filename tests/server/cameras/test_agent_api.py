"""The edge agent's server routes: its copy of the hotlists (ETag, 304) and heartbeats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.cameras.actions import (
    HeartbeatReport,
    clock_problem,
    record_heartbeat,
    revoke_device_tokens,
)
from platekeeper.server.cameras.models import CameraHealth
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from tests.support.people import SETUP_REQUESTER

pytestmark = pytest.mark.both_databases


def _hotlist_with_entries():
    hotlist = create_hotlist(
        "Stolen vehicles",
        requester=SETUP_REQUESTER,
        source="state",
        category="stolen_vehicle",
        priority=1,
        fuzzy=True,
    )
    add_entry(hotlist, "7ABC123", requester=SETUP_REQUESTER, state="CA", reason="secret reason")
    add_entry(hotlist, "6TR?204", requester=SETUP_REQUESTER)
    return hotlist


def test_the_agent_gets_only_the_fields_it_needs_and_304_when_unchanged(device):
    _hotlist_with_entries()
    headers = {"Authorization": f"Bearer {device.token}"}

    first = device.client.get("/api/v1/agent/hotlists", headers=headers)
    etag = first["ETag"]
    again = device.client.get("/api/v1/agent/hotlists", headers={**headers, "If-None-Match": etag})

    body = first.json()
    assert first.status_code == 200
    assert body["hotlists"] == [
        {
            "id": body["hotlists"][0]["id"],
            "name": "Stolen vehicles",
            "category": "stolen_vehicle",
            "priority": 1,
            "fuzzy": True,
        }
    ]
    assert sorted(e[2] for e in body["entries"]) == ["6TR?204", "7ABC123"]
    assert all(len(e) == 5 for e in body["entries"])
    assert "secret reason" not in first.content.decode()
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_a_hotlist_change_gives_a_new_etag(device):
    hotlist = _hotlist_with_entries()
    headers = {"Authorization": f"Bearer {device.token}"}
    etag = device.client.get("/api/v1/agent/hotlists", headers=headers)["ETag"]

    add_entry(hotlist, "8XYZ999", requester=SETUP_REQUESTER)
    changed = device.client.get(
        "/api/v1/agent/hotlists", headers={**headers, "If-None-Match": etag}
    )

    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "8XYZ999" in [e[2] for e in changed.json()["entries"]]


def test_agent_routes_refuse_a_missing_or_revoked_token(device):
    revoke_device_tokens(device.camera, requester=SETUP_REQUESTER)
    headers = {"Authorization": f"Bearer {device.token}"}

    assert device.client.get("/api/v1/agent/hotlists").status_code == 401
    assert device.client.get("/api/v1/agent/hotlists", headers=headers).status_code == 401
    assert (
        device.post("/api/v1/agent/heartbeat", {"agent_time": "2026-01-01T00:00:00Z"}).status_code
        == 401
    )


def test_a_heartbeat_records_health_and_marks_the_camera_heard_from(device):
    sent = timezone.now()
    response = device.post(
        "/api/v1/agent/heartbeat",
        {
            "agent_time": sent.isoformat(),
            "version": "0.1.0",
            "queue_depth": 42,
            "reads_per_minute": 3.5,
            "last_error": "ConnectError: connection refused",
            "images_evicted": 7,
        },
    )

    assert response.status_code == 200, response.content
    assert abs(response.json()["clock_offset_seconds"]) < 5
    assert response.json()["clock_problem"] == ""
    health = CameraHealth.objects.get(camera=device.camera)
    assert (health.queue_depth, health.reads_per_minute, health.images_evicted) == (42, 3.5, 7)
    assert health.last_error.startswith("ConnectError")
    device.camera.refresh_from_db()
    assert device.camera.last_seen_at is not None


def test_an_agent_clock_off_by_an_hour_is_flagged(device):
    now = timezone.now()
    health = record_heartbeat(
        device.camera, HeartbeatReport(agent_time=now - dt.timedelta(hours=1)), received_at=now
    )

    assert health.clock_offset_seconds == -3600
    assert clock_problem(health) == "clock off by 3600 s (behind)"


def test_a_heartbeat_without_a_time_zone_is_refused(device):
    response = device.post("/api/v1/agent/heartbeat", {"agent_time": "2026-01-01T00:00:00"})

    assert response.status_code == 422
    assert "agent_time" in response.json()["detail"]


def test_each_changed_download_is_one_device_disclosure_and_a_304_none(device):
    """GIVEN an agent polling its hotlist copy WHEN the lists are unchanged THEN the 304 writes
    nothing; each full download is one event naming the device, the purpose and the count."""
    hotlist = _hotlist_with_entries()
    headers = {"Authorization": f"Bearer {device.token}"}

    first = device.client.get("/api/v1/agent/hotlists", headers=headers)
    device.client.get("/api/v1/agent/hotlists", headers={**headers, "If-None-Match": first["ETag"]})
    add_entry(hotlist, "9NEW999", requester=SETUP_REQUESTER)
    changed = device.client.get(
        "/api/v1/agent/hotlists", headers={**headers, "If-None-Match": first["ETag"]}
    )

    assert changed.status_code == 200
    copies = AuditEvent.objects.filter(action="hotlists.agent_copy")
    assert [(e.username, e.channel, e.purpose, e.record_count) for e in copies] == [
        ("device:Grand Ave at Wildwood", "api", "hotlist_alert_response", 2),
        ("device:Grand Ave at Wildwood", "api", "hotlist_alert_response", 3),
    ]

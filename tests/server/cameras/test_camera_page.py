"""The camera status page: online/offline, last read, backlog and clock, for administrators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.actions import create_personal_token, user_for_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.cameras.actions import HeartbeatReport, add_camera, record_heartbeat
from platekeeper.server.cameras.models import Camera
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER, make_user
from tests.web.conftest import signed_in


def test_an_administrator_sees_status_backlog_and_a_wrong_clock(device):
    device.post_reads([read_item(plate="7ABC123")])
    record_heartbeat(
        device.camera,
        HeartbeatReport(agent_time=timezone.now() + dt.timedelta(hours=1), queue_depth=17),
    )
    quiet = add_camera(
        "Quiet corner", requester=SETUP_REQUESTER, latitude=37.8, longitude=-122.2
    ).camera
    Camera.objects.filter(pk=quiet.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=2))
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = admin.get("/cameras").content.decode()

    assert "Grand Ave at Wildwood" in page
    assert "online" in page
    assert "offline" in page
    assert "17 reads" in page
    assert "clock off by 3600 s (ahead)" in page
    assert "7ABC123" not in page  # status only: no plate leaves this page


def test_other_roles_are_refused_the_camera_page(db):
    investigator = signed_in("ines", Role.INVESTIGATOR)

    assert investigator.get("/cameras").status_code == 403


def test_an_administrator_revokes_a_cameras_tokens_on_the_web_and_it_is_refused_at_once(device):
    admin = signed_in("ada", Role.ADMINISTRATOR)
    operator = signed_in("otto", Role.OPERATOR)

    refused = operator.post(f"/cameras/{device.camera.pk}/revoke")
    before = device.post_reads([read_item(plate="7ABC123")])
    done = admin.post(f"/cameras/{device.camera.pk}/revoke")
    after = device.post_reads([read_item(plate="7ABC124")])

    assert refused.status_code == 403
    assert before.status_code == 200
    assert done.status_code == 302
    assert after.status_code == 401
    event = AuditEvent.objects.get(action="camera.token_revoke", outcome="allowed")
    assert (event.username, event.channel) == ("ada", "ui")


def test_an_administrator_revokes_a_persons_api_tokens_on_the_web(db):
    make_user("ines", Role.INVESTIGATOR)
    secret = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    admin = signed_in("ada", Role.ADMINISTRATOR)

    assert "Revoke tokens" in admin.get("/users").content.decode()
    admin.post("/users/ines/revoke-tokens")

    assert user_for_token(secret) is None
    assert AuditEvent.objects.get(action="token.revoke").username == "ada"

"""The camera status page: online/offline, last read, backlog and clock, for administrators."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.roles import Role
from platekeeper.server.cameras.actions import HeartbeatReport, add_camera, record_heartbeat
from platekeeper.server.cameras.models import Camera
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER
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

"""The camera status page: online/offline, last read, backlog and clock, for administrators."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from platekeeper.server.access.actions import create_personal_token, user_for_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.cameras.actions import (
    HeartbeatReport,
    add_camera,
    authenticate_device,
    record_heartbeat,
)
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


# --- adding and editing cameras on the web ---------------------------------------------------


def _add(client, **fields):
    form = {
        "name": "Oakland Ave at Vista",
        "kind": "fixed",
        "latitude": 37.82,
        "longitude": -122.23,
    }
    return client.post("/cameras/add", {**form, **fields})


def test_an_administrator_adds_a_camera_and_sees_its_token_once(db):
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = _add(admin)

    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    camera = Camera.objects.get(name="Oakland Ave at Vista")
    token = re.search(r'value="(pkd_[^"]+)"', page.content.decode()).group(1)
    assert authenticate_device(token) == camera
    assert token not in admin.get("/cameras").content.decode()
    assert token not in admin.get(f"/cameras/{camera.pk}/edit").content.decode()
    actions = set(AuditEvent.objects.filter(username="ada").values_list("action", flat=True))
    assert {"camera.add", "camera.token_issue"} <= actions


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", "This field is required"),
        ({"latitude": ""}, "latitude", "give both latitude and longitude"),
        ({"latitude": "", "longitude": ""}, "latitude", "a fixed camera needs its latitude"),
        ({"latitude": "95"}, "latitude", "less than or equal to 90"),
        ({"heading": "400"}, "heading", "less than or equal to 359.9"),
    ],
)
def test_bad_camera_input_is_named_by_field_and_changes_nothing(db, fields, field, message):
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = _add(admin, **fields)

    assert page.status_code == 400
    assert message in page.content.decode()
    assert field in page.context["add_form"].errors
    assert not Camera.objects.exists()


def test_a_duplicate_name_is_refused_under_the_name(device):
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = _add(admin, name=device.camera.name)

    assert page.status_code == 400
    assert "already exists" in page.context["add_form"].errors["name"][0]


def test_an_administrator_edits_a_camera_and_the_change_is_audited_with_before_and_after(device):
    admin = signed_in("ada", Role.ADMINISTRATOR)
    camera = device.camera
    form = {"name": "Grand Ave at Oakland", "kind": "mobile", "latitude": "", "longitude": ""}

    shown = admin.get(f"/cameras/{camera.pk}/edit")
    saved = admin.post(f"/cameras/{camera.pk}/edit", {**form, "active": "on"})

    assert 'value="Grand Ave at Wildwood"' in shown.content.decode()
    assert saved.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.kind, camera.latitude) == ("Grand Ave at Oakland", "mobile", None)
    event = AuditEvent.objects.get(action="camera.edit", outcome="allowed")
    assert event.username == "ada"
    assert event.query["before"]["name"] == "Grand Ave at Wildwood"
    assert event.query["after"] == {
        "name": "Grand Ave at Oakland",
        "kind": "mobile",
        "latitude": None,
        "longitude": None,
    }


def test_a_retired_camera_can_no_longer_send_reads(device):
    admin = signed_in("ada", Role.ADMINISTRATOR)
    camera = device.camera
    form = {"name": camera.name, "kind": "fixed", "latitude": camera.latitude}

    admin.post(f"/cameras/{camera.pk}/edit", {**form, "longitude": camera.longitude})

    assert device.post_reads([read_item(plate="7ABC123")]).status_code == 401


def test_a_new_token_works_beside_the_old_one_until_revoked(device):
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = admin.post(f"/cameras/{device.camera.pk}/token")

    token = re.search(r'value="(pkd_[^"]+)"', page.content.decode()).group(1)
    assert authenticate_device(token) == device.camera
    assert device.post_reads([read_item(plate="7ABC123")]).status_code == 200
    assert AuditEvent.objects.filter(action="camera.token_issue", username="ada").exists()


@pytest.mark.parametrize("path", ["/cameras/add", "/cameras/{pk}/edit", "/cameras/{pk}/token"])
def test_other_roles_may_not_add_edit_or_issue_tokens(device, path):
    investigator = signed_in("ines", Role.INVESTIGATOR)

    answer = investigator.post(path.format(pk=device.camera.pk), {"name": "Mine", "kind": "mobile"})

    assert answer.status_code == 403
    assert Camera.objects.count() == 1
    assert Camera.objects.get().name == "Grand Ave at Wildwood"
    assert AuditEvent.objects.filter(username="ines", outcome="denied").exists()

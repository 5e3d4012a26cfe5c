"""`platekeeper camera ...` as an administrator uses it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from platekeeper.cli.main import cli
from platekeeper.server.cameras.actions import authenticate_device
from platekeeper.server.cameras.models import Camera

pytestmark = (
    pytest.mark.django_db
)  # camera changes are audited: the append-only log forbids a flush


def test_camera_add_prints_a_working_token_alone_on_the_last_line():
    result = CliRunner().invoke(
        cli, ["camera", "add", "Oakland Ave", "--lat", "37.82", "--lon", "-122.23"]
    )

    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("pkd_")
    assert authenticate_device(token) == Camera.objects.get(name="Oakland Ave")


def test_a_mobile_camera_needs_no_location():
    result = CliRunner().invoke(cli, ["camera", "add", "Patrol 3", "--mobile"])

    assert result.exit_code == 0, result.output
    assert Camera.objects.get(name="Patrol 3").kind == "mobile"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["camera", "add", "Fixed without place"], "a fixed camera needs its latitude"),
        (["camera", "add", "Half", "--lat", "37.8"], "give both latitude and longitude"),
        (["camera", "add", "Far", "--lat", "95", "--lon", "0"], "95"),
    ],
)
def test_bad_camera_input_exits_non_zero_with_one_readable_line(args, message):
    result = CliRunner().invoke(cli, args)

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_duplicate_camera_name_is_refused():
    runner = CliRunner()
    runner.invoke(cli, ["camera", "add", "Twice", "--mobile"])

    result = runner.invoke(cli, ["camera", "add", "Twice", "--mobile"])

    assert result.exit_code == 1
    assert "already exists" in result.output


def test_camera_list_shows_an_empty_state_then_the_cameras():
    runner = CliRunner()
    assert "No cameras yet" in runner.invoke(cli, ["camera", "list"]).output

    runner.invoke(cli, ["camera", "add", "Highland Ave", "--lat", "37.826", "--lon", "-122.231"])

    listing = runner.invoke(cli, ["camera", "list"]).output
    assert "Highland Ave" in listing
    assert "never" in listing


def test_camera_revoke_refuses_its_token_at_once_and_add_and_revoke_are_audited():
    from platekeeper.server.access.models import AuditEvent

    added = CliRunner().invoke(cli, ["camera", "add", "Stolen car", "--mobile"])
    token = added.output.strip().splitlines()[-1]
    revoked = CliRunner().invoke(cli, ["camera", "revoke", "Stolen car"])
    missing = CliRunner().invoke(cli, ["camera", "revoke", "Nowhere"])

    assert revoked.exit_code == 0, revoked.output
    assert "Revoked 1 device token" in revoked.output
    assert authenticate_device(token) is None
    assert missing.exit_code != 0
    assert "no camera named 'Nowhere'" in missing.output
    actions = list(AuditEvent.objects.values_list("action", "username"))
    assert [a for a, _ in actions] == ["camera.add", "camera.token_issue", "camera.token_revoke"]
    assert all(user.startswith("console:") for _, user in actions)

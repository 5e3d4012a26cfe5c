"""The living demo's simulator against a real `platekeeper serve`: heartbeats, reads with
images and vehicle descriptions, and a hotlist hit, all through the device API."""

from __future__ import annotations

import time

import httpx
import pytest

from platekeeper.demo.simulator import TownSimulator, simulated_cameras
from platekeeper.demo.vehicles import look_for
from tests.support.live import investigator_token, isolated_environment, run_cli, running_server

pytestmark = pytest.mark.both_databases

#: Two of the demo town's cameras (`platekeeper.demo.town`): a fixed one and a patrol car.
FIXED = ("Grand Ave inbound", "37.81422", "-122.24583")
PATROL = "Patrol 1"
STOLEN = "6LCF571"


def _cli(env: dict[str, str], *args: str) -> str:
    done = run_cli(env, *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_simulated_cameras_send_heartbeats_reads_and_a_hotlist_hit(tmp_path):
    """GIVEN a served, empty server with two demo cameras and one stolen plate WHEN the
    simulator runs a few seconds THEN the cameras are heard from, reads with overview photos
    and vehicle descriptions are stored, and the stolen plate raises an alert."""
    with isolated_environment(tmp_path) as env:
        name, lat, lon = FIXED
        tokens = {
            name: _cli(env, "camera", "add", name, "--lat", lat, "--lon", lon).splitlines()[-1],
            PATROL: _cli(env, "camera", "add", PATROL, "--mobile").splitlines()[-1],
        }
        _cli(env, "hotlist", "create", "Stolen", "--category", "stolen_vehicle")
        _cli(env, "hotlist", "add", STOLEN, "--list", "Stolen", "--state", "CA")
        person = investigator_token(env)
        with running_server(env) as base:
            cameras = simulated_cameras(tokens, fixed_cameras=18, patrol_cars=2)
            simulator = TownSimulator(
                base, cameras, seed=7, tick_s=0.5, reads_per_second=4.0, first_hit_s=0.0
            )
            deadline = time.monotonic() + 4
            while time.monotonic() < deadline:
                simulator.step()
            listing = _cli(env, "camera", "list")
            asked = {"purpose": "stolen_vehicle", "case_number": "T-1"}
            with httpx.Client(
                base_url=base, headers={"Authorization": f"Bearer {person}"}, timeout=30
            ) as client:
                (found,) = client.get(
                    "/api/v1/reads/search", params={"plate": STOLEN, **asked}
                ).json()["results"]
                read = client.get(f"/api/v1/reads/{found['id']}", params=asked).json()
                overview = client.get(f"/api/v1/images/{read['overview_sha256']}", params=asked)

    assert {c.camera.name for c in cameras} == set(tokens)
    tally = simulator.tally
    assert tally.failures == 0, tally.last_failure
    assert tally.heartbeats == 2
    assert tally.reads > 4
    assert tally.hotlist_hits == 1
    assert tally.alerts >= 1
    assert "never" not in listing.lower()
    assert read["camera"] in tokens
    look = look_for(STOLEN, "passenger")  # the car the demo hotlist describes for this plate
    assert (read["vehicle_make"], read["vehicle_color"], read["vehicle_type"]) == (
        look.make,
        look.colour,
        look.body,
    )
    assert read["plate_box"] is not None
    assert read["plate_crop_sha256"] is not None
    assert overview.status_code == 200
    assert overview.content.startswith(b"\xff\xd8")  # a JPEG photo of the car

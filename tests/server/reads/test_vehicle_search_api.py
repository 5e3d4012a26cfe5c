"""Search and canvass by vehicle description over the API, against a running server."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.support.factories import read_item
from tests.support.live import investigator_token, isolated_environment, run_cli, running_server

pytestmark = pytest.mark.both_databases

LAT, LON = 37.83, -122.22
CASE = {"purpose": "crime_scene_canvass", "case_number": "24-0311"}


def test_vehicle_filters_over_a_live_server(tmp_path):
    now = dt.datetime.now(dt.UTC)
    window = {
        "start": (now - dt.timedelta(days=1)).isoformat(),
        "end": (now + dt.timedelta(hours=1)).isoformat(),
    }
    pickup = {"vehicle_make": "Ford", "vehicle_color": "White", "vehicle_type": "pickup"}
    items = [
        read_item(plate="7ABC123", latitude=LAT, longitude=LON, **pickup),
        read_item(plate="6LMN888", latitude=LAT, longitude=LON, vehicle_make="Honda"),
    ]
    with isolated_environment(tmp_path) as env:
        added = run_cli(env, "camera", "add", "Moraga Ave", "--lat", str(LAT), "--lon", str(LON))
        camera = added.stdout.strip().splitlines()[-1]
        person = {"Authorization": f"Bearer {investigator_token(env)}"}
        # A search without a plate and a canvass over 24 h wait for approval by default
        # (tests/server/approvals).
        lifted = run_cli(
            env,
            "approvals",
            "thresholds",
            "--vehicle-without-plate",
            "off",
            "--canvass-hours",
            "48",
        )
        assert lifted.returncode == 0, lifted.stderr
        with running_server(env) as base:
            stored = httpx.post(
                f"{base}/api/v1/reads",
                json={"reads": items},
                headers={"Authorization": f"Bearer {camera}"},
            )
            search = httpx.get(
                f"{base}/api/v1/reads/search",
                params={"make": "ford", "type": "PICKUP", **window, **CASE},
                headers=person,
            )
            canvass = httpx.get(
                f"{base}/api/v1/reads/canvass",
                params={"lat": LAT, "lon": LON, "radius_m": 200, "make": "honda", **window, **CASE},
                headers=person,
            )
            too_broad = httpx.get(
                f"{base}/api/v1/reads/search",
                params={"color": "white", "start": window["start"], **CASE},
                headers=person,
            )
            too_long = httpx.get(
                f"{base}/api/v1/reads/search",
                params={"plate": "7ABC123", "make": "x" * 41, **CASE},
                headers=person,
            )

    assert stored.json()["stored"] == 2
    assert search.status_code == 200, search.text
    [row] = search.json()["results"]
    assert (row["plate"], row["vehicle_make"], row["vehicle_color"]) == ("7ABC123", "Ford", "White")
    assert row["on_hotlist"] is False
    assert [r["plate"] for r in canvass.json()["results"]] == ["6LMN888"]
    assert too_broad.status_code == 400
    assert "start: a search without a plate needs start and end" in too_broad.text
    assert too_long.status_code == 400
    assert "make: at most 40 characters" in too_long.text

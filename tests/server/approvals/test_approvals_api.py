"""The approval flow over the API of a running server: 202 with the approval id, the lists,
the supervisor's decision, and the request sent again with `approval=ID`, once."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.support.factories import read_item
from tests.support.live import investigator_token, isolated_environment, run_cli, running_server
from tests.support.people import PASSWORD

pytestmark = pytest.mark.both_databases

LAT, LON = 37.83, -122.22
CASE = {"purpose": "crime_scene_canvass", "case_number": "24-0311"}


def _supervisor_token(env: dict[str, str]) -> str:
    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    for args, stdin in [
        (("user", "add", "sue", "--role", "auditor", "--password-stdin"), PASSWORD),
        (("training", "record", "sue", "--completed", yesterday), None),
        (("token", "create", "sue"), None),
    ]:
        done = run_cli(env, *args, stdin=stdin)
        assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_a_wide_canvass_answers_202_and_runs_once_after_the_supervisor_approves(tmp_path):
    now = dt.datetime.now(dt.UTC)
    canvass = {
        "lat": LAT,
        "lon": LON,
        "radius_m": 1500,
        "start": (now - dt.timedelta(hours=2)).isoformat(),
        "end": (now + dt.timedelta(minutes=5)).isoformat(),
        **CASE,
    }
    with isolated_environment(tmp_path) as env:
        added = run_cli(env, "camera", "add", "Moraga Ave", "--lat", str(LAT), "--lon", str(LON))
        camera = {"Authorization": f"Bearer {added.stdout.strip().splitlines()[-1]}"}
        ines = {"Authorization": f"Bearer {investigator_token(env)}"}
        sue = {"Authorization": f"Bearer {_supervisor_token(env)}"}
        with running_server(env) as base:
            api = f"{base}/api/v1"
            httpx.post(f"{api}/reads", json={"reads": [read_item(latitude=LAT, longitude=LON)]},
                       headers=camera).raise_for_status()  # fmt: skip
            held = httpx.get(f"{api}/reads/canvass", params=canvass, headers=ines)
            number = held.json().get("approval_id")
            early = httpx.get(f"{api}/reads/canvass", params={**canvass, "approval": number},
                              headers=ines)  # fmt: skip
            mine = httpx.get(f"{api}/approvals", headers=ines).json()
            queue = httpx.get(f"{api}/approvals", headers=sue).json()
            own = httpx.post(f"{api}/approvals/{number}/approve", json={}, headers=ines)
            unnoted = httpx.post(f"{api}/approvals/{number}/deny", json={}, headers=sue)
            missing = httpx.post(f"{api}/approvals/999/approve", json={}, headers=sue)
            approved = httpx.post(f"{api}/approvals/{number}/approve",
                                  json={"note": "homicide"}, headers=sue)  # fmt: skip
            ran = httpx.get(f"{api}/reads/canvass", params={**canvass, "approval": number},
                            headers=ines)  # fmt: skip
            again = httpx.get(f"{api}/reads/canvass", params={**canvass, "approval": number},
                              headers=ines)  # fmt: skip
            bad = httpx.get(f"{api}/reads/canvass", params={**canvass, "approval": "x"},
                            headers=ines)  # fmt: skip

    assert held.status_code == 202, held.text
    assert held.json()["status"] == "awaiting approval"
    assert "radius 1,500 m is over 1,000 m" in held.json()["message"]
    assert early.status_code == 403
    assert "still awaiting" in early.json()["detail"]
    assert [a["id"] for a in mine["mine"]] == [number]
    assert mine["to_decide"] == []
    assert [a["requester"] for a in queue["to_decide"]] == ["ines"]
    assert queue["to_decide"][0]["justification"]["case_number"] == "24-0311"
    assert own.status_code == 403
    assert unnoted.status_code == 400
    assert unnoted.json()["detail"].startswith("note:")
    assert missing.status_code == 404
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["decided_by"]) == ("approved", "sue")
    assert ran.status_code == 200, ran.text
    assert [r["plate"] for r in ran.json()["results"]] == ["7ABC123"]
    assert again.status_code == 403
    assert "already run" in again.json()["detail"]
    assert bad.status_code == 422

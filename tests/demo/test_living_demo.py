"""`platekeeper demo` as a visitor meets it: a fresh demo whose cameras come online, whose reads
and alerts keep arriving, whose compliance report is all PASS, and whose dashboard map shows the
cameras on the town's streets."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.browser import chromium, sign_in
from tests.support.live import free_port, isolated_environment, run_cli, wait_until_serving

OFFICER = ("officer", "Cobalt-Meadow-5830")  # a demo login (platekeeper.demo)
ASKED = {"purpose": "stolen_vehicle", "case_number": "PPD-26-0438"}


@dataclasses.dataclass(frozen=True)
class Demo:
    base: str
    env: dict[str, str]
    data_dir: Path
    started: dt.datetime
    #: When the server first answered (the seeding before it takes longer on a busy machine).
    serving: dt.datetime
    log: Path


@contextlib.contextmanager
def _running_demo(env: dict[str, str], data_dir: Path) -> Iterator[Demo]:
    """`platekeeper demo --days 1` on a free port, until its server answers."""
    port = free_port()
    log = data_dir.parent / "demo.log"
    started = dt.datetime.now(dt.UTC)
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "platekeeper", "demo", "--days", "1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base, log, seconds=120, what="demo")
        serving = dt.datetime.now(dt.UTC)
        yield Demo(base=base, env=env, data_dir=data_dir, started=started, serving=serving, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator[Demo]:
    root = tmp_path_factory.mktemp("living-demo")
    data_dir = root / "var"
    with isolated_environment(data_dir) as env:
        env.pop("PLATEKEEPER_AUDIT_KEY", None)
        env.pop("PLATEKEEPER_AUDIT_KEY_FILE", None)
        with _running_demo(env, data_dir) as running:
            yield running


def _with_demo_key(demo: Demo) -> dict[str, str]:
    """The environment other commands on the demo need: its key, kept beside the data dir."""
    return {**demo.env, "PLATEKEEPER_AUDIT_KEY_FILE": str(demo.data_dir.parent / "var-audit-key")}


def test_a_fresh_demo_passes_every_compliance_check(demo):
    """GIVEN a fresh demo WHEN the compliance report runs THEN every obligation is met, with
    the audit key kept outside the data dir as the demo said."""
    key_file = demo.data_dir.parent / "var-audit-key"

    report = run_cli(_with_demo_key(demo), "compliance")

    assert report.returncode == 0, report.stdout + report.stderr
    assert "FAIL" not in report.stdout
    assert f"PLATEKEEPER_AUDIT_KEY_FILE={key_file}" in demo.log.read_text()
    assert key_file.is_file()
    assert not (demo.data_dir / "audit_key").exists()


def test_within_a_minute_cameras_are_online_reads_arrive_and_an_alert_is_raised(demo):
    """GIVEN a fresh demo WHEN it has served for less than a minute THEN every camera has been
    heard from, new reads are stored and a simulated hotlist hit has raised an alert."""
    env = _with_demo_key(demo)
    token = run_cli(env, "token", "create", "investigator").stdout.strip().splitlines()[-1]
    fresh_alerts: list[dict] = []
    with httpx.Client(
        base_url=demo.base, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        deadline = demo.serving + dt.timedelta(seconds=60)
        while not fresh_alerts and dt.datetime.now(dt.UTC) < deadline:
            time.sleep(2)
            alerts = client.get("/api/v1/alerts", params=ASKED).json()["results"]
            fresh_alerts = [
                a for a in alerts if dt.datetime.fromisoformat(a["captured_at"]) > demo.started
            ]
    cameras = run_cli(env, "camera", "list").stdout.splitlines()[1:]
    seen = [dt.datetime.fromisoformat(line.rstrip()[-19:] + "+00:00") for line in cameras]
    seeded = re.search(r"Seeded the demo town: \d+ cameras, (\d+) reads", demo.log.read_text())
    reads = httpx.get(f"{demo.base}/transparency.json", timeout=30).json()["reads"]

    assert fresh_alerts, demo.log.read_text()[-3000:]
    assert len(cameras) == 20
    assert min(seen) > demo.started - dt.timedelta(seconds=1)
    assert seeded
    assert reads > int(seeded.group(1))


def test_the_dashboard_map_draws_streets_and_camera_markers(demo, tmp_path):
    """GIVEN the demo WHEN the officer opens the dashboard THEN its map draws the town's
    streets, served by this server, and the cameras as labelled markers or clusters."""
    requested: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.on("request", lambda request: requested.append(request.url))
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        sign_in(page, demo.base, *OFFICER)
        page.wait_for_selector("#camera-map.has-streets", timeout=30_000)
        page.wait_for_selector("#camera-map .camera-marker", state="attached")
        streets = page.locator("#camera-map path.street").count()
        markers = page.locator("#camera-map .camera-marker").count()
        clusters = page.locator("#camera-map .camera-cluster").count()
        labels = page.inner_text("#camera-map")
        page.screenshot(path=str(tmp_path / "dashboard-map.png"), full_page=True)

    assert streets >= 20
    assert markers >= 1
    assert markers + clusters >= 5
    assert "inbound" in labels
    assert not problems
    assert all(url.startswith(demo.base) for url in requested)  # nothing leaves the server

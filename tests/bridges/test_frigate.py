"""`platekeeper bridge frigate` against the real Mosquitto broker on 127.0.0.1:1883 and a real
platekeeper server: Frigate's documented messages become reads, once each, across restarts.

Messages are published at QoS 1 under a topic prefix of this test's own, so tests running at
the same time (and a real Frigate on the same broker) never see each other's messages.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.factories import image_bytes
from tests.support.frigate import START, event, lpr_update, pass_of, tracked
from tests.support.live import isolated_environment, run_cli, running_server
from tests.support.processes import LoggedProcess

REPO = Path(__file__).resolve().parents[2]
BROKER = ("127.0.0.1", 1883)


def _broker_answers() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(BROKER, timeout=1):
        return True
    return False


pytestmark = pytest.mark.skipif(
    not _broker_answers() and not os.environ.get("PLATEKEEPER_REQUIRE_MQTT"),
    reason="no MQTT broker on 127.0.0.1:1883",
)


# --- The real parts ------------------------------------------------------------------------


class Publisher:
    """A paho client publishing at QoS 1 under the test's prefix, waiting for each PUBACK."""

    def __init__(self, prefix: str) -> None:
        import paho.mqtt.client as mqtt

        self.prefix = prefix
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.connect(*BROKER)
        self.client.loop_start()

    def send(self, messages: list[tuple[str, dict]]) -> None:
        for topic, payload in messages:
            info = self.client.publish(f"{self.prefix}/{topic}", json.dumps(payload), qos=1)
            info.wait_for_publish(timeout=10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class Bridge(LoggedProcess):
    """`platekeeper bridge frigate` as a child process, its log in a file (kept across restarts)."""

    def __init__(self, args: list[str], log: Path) -> None:
        super().__init__(["bridge", "frigate", *args], log)

    def wait_listening(self, times: int = 1) -> None:
        wait_for(lambda: self.log.count("listening on") >= times, "the bridge to subscribe", self)


def wait_for(predicate: Callable[[], bool], what: str, bridge: Bridge, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n--- bridge log ---\n{bridge.log[-4000:]}")


@contextlib.contextmanager
def frigate_http(snapshot: bytes) -> Iterator[str]:
    """Frigate's HTTP API, as far as the bridge uses it: each object's best snapshot."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked.append(self.path)
            if self.path.startswith("/api/events/") and self.path.endswith("/snapshot.jpg"):
                self.send_response(200)
                self.send_header("Content-Type", "image/jpeg")
                self.send_header("Content-Length", str(len(snapshot)))
                self.end_headers()
                self.wfile.write(snapshot)
            else:
                self.send_error(404)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def stored_reads(env: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """Every stored read's (plate, source, overview digest), from the server's SQLite file."""
    path = Path(env["PLATEKEEPER_DATA_DIR"]) / "platekeeper.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        return db.execute("SELECT plate, source, overview_id FROM reads_read").fetchall()


@pytest.fixture
def platekeeper(tmp_path: Path) -> Iterator[tuple[dict[str, str], str, Path]]:
    """A live server on SQLite, and a token file for its camera 'Driveway'."""
    (tmp_path / "server").mkdir()
    with (
        isolated_environment(tmp_path / "server", database_url="") as env,
        running_server({**env, "PLATEKEEPER_LOG_LEVEL": "WARNING"}) as base,
    ):
        added = run_cli(env, "camera", "add", "Driveway", "--lat", "37.82", "--lon", "-122.23")
        assert added.returncode == 0, added.stderr
        token_file = tmp_path / "token"
        token_file.write_text(added.stdout.strip().splitlines()[-1] + "\n")
        yield env, base, token_file


@pytest.fixture
def bridges(tmp_path: Path) -> Iterator[Callable[..., Bridge]]:
    started: list[Bridge] = []

    def start(*args: str) -> Bridge:
        bridge = Bridge(list(args), tmp_path / "bridge.log")
        started.append(bridge)
        return bridge

    yield start
    for bridge in started:
        bridge.stop()


@pytest.fixture
def prefix() -> Iterator[str]:
    return f"test-frigate-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def publisher(prefix: str) -> Iterator[Publisher]:
    publishing = Publisher(prefix)
    yield publishing
    publishing.close()


# --- Behaviour -----------------------------------------------------------------------------


def test_each_ended_vehicle_with_a_plate_becomes_one_read_with_its_snapshot(
    tmp_path, platekeeper, bridges, prefix, publisher
):
    env, base, token_file = platekeeper
    snapshot = image_bytes("JPEG", size=(640, 360), color="gray")
    with frigate_http(snapshot) as frigate_url:
        bridge = bridges(
            "--broker", f"mqtt://{BROKER[0]}:{BROKER[1]}", "--server", base,
            "--token-file", str(token_file), "--data-dir", str(tmp_path / "bridge"),
            "--topic-prefix", prefix, "--frigate-url", frigate_url,
        )  # fmt: skip
        bridge.wait_listening()

        person = tracked("1764425100.1-person", "driveway", label="person")
        known = tracked("1764425100.4-known", "driveway", ended=True)
        publisher.send(
            [
                *pass_of("1764425100.2-car", "driveway", "7ABC123"),
                *pass_of("1764425100.3-noplate", "driveway", None),
                ("events", event("end", person, {**person, "end_time": START + 9})),
                # A plate Frigate knows by name: the event shows the name as sub_label, the
                # plate comes on tracked_object_update.
                lpr_update("1764425100.4-known", "driveway", "4XYZ987"),
                ("events", event("end", None, {**known, "sub_label": ["Neighbour's car", 0.95]})),
            ]
        )
        # Frigate repeats an end when it finds a better snapshot; the same object is one read.
        publisher.send(pass_of("1764425100.2-car", "driveway", "7ABC123")[2:])

        wait_for(lambda: len(stored_reads(env)) >= 2, "two reads on the server", bridge)
        time.sleep(1.5)  # time for a wrongly doubled read to show up

    reads = sorted(stored_reads(env))
    assert [(plate, source) for plate, source, _ in reads] == [
        ("4XYZ987", "api"),
        ("7ABC123", "api"),
    ]
    assert all(overview for _, _, overview in reads)


def test_a_bridge_restarted_in_the_middle_of_a_burst_loses_none_and_doubles_none(
    tmp_path, platekeeper, bridges, prefix, publisher
):
    """GIVEN a burst of 60 cars WHEN the bridge is killed (SIGKILL) a third of the way and
    started again while the burst goes on THEN every car is one read, none lost, none twice."""
    env, base, token_file = platekeeper
    args = (
        "--broker", f"mqtt://{BROKER[0]}:{BROKER[1]}", "--server", base,
        "--token-file", str(token_file), "--data-dir", str(tmp_path / "bridge"),
        "--topic-prefix", prefix,
    )  # fmt: skip
    plates = [f"BRST{i:03d}" for i in range(60)]
    cars = [pass_of(f"1764425200.{i}-burst", "driveway", plate) for i, plate in enumerate(plates)]

    first = bridges(*args)
    first.wait_listening()
    for car in cars[:20]:
        publisher.send(car)
    first.kill()
    for car in cars[20:40]:  # the broker keeps these for the bridge's session
        publisher.send(car)
    second = bridges(*args)
    second.wait_listening(times=2)
    for car in cars[40:]:
        publisher.send(car)
    for car in cars[10:30]:  # and Frigate repeating some ends changes nothing
        publisher.send(car[2:])

    wait_for(lambda: len(stored_reads(env)) >= len(plates), "every read", second, timeout=90)
    time.sleep(1.5)
    stored = [plate for plate, _, _ in stored_reads(env)]
    assert sorted(stored) == sorted(plates)
    assert second.stop() == 0


def test_a_known_plate_heard_before_a_restart_still_makes_the_read_at_the_end(
    tmp_path, platekeeper, bridges, prefix, publisher
):
    """GIVEN a plate Frigate knows by name, heard on tracked_object_update WHEN the bridge is
    killed before the object ends and started again THEN the end still makes its read."""
    env, base, token_file = platekeeper
    args = (
        "--broker", f"mqtt://{BROKER[0]}:{BROKER[1]}", "--server", base,
        "--token-file", str(token_file), "--data-dir", str(tmp_path / "bridge"),
        "--topic-prefix", prefix,
    )  # fmt: skip
    first = bridges(*args)
    first.wait_listening()
    publisher.send([lpr_update("1764425300.1-known", "driveway", "5KNW123")])
    wait_for(lambda: "5KNW123" in _pending(tmp_path / "bridge"), "the plate on disk", first)
    first.kill()

    second = bridges(*args)
    second.wait_listening(times=2)
    known = tracked("1764425300.1-known", "driveway", ended=True)
    publisher.send([("events", event("end", None, {**known, "sub_label": ["Neighbour", 0.9]}))])

    wait_for(lambda: len(stored_reads(env)) >= 1, "the read", second)
    assert [plate for plate, _, _ in stored_reads(env)] == ["5KNW123"]


def _pending(data_dir: Path) -> str:
    path = data_dir / "frigate-pending-plates.sqlite3"
    if not path.exists():
        return ""
    with (
        contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db,
        contextlib.suppress(sqlite3.OperationalError),
    ):
        return " ".join(row[0] for row in db.execute("SELECT plate FROM pending"))
    return ""


def test_a_missing_token_is_one_line_and_exit_code_2(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("PLATEKEEPER_AGENT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "platekeeper", "bridge", "frigate",
         "--broker", "mqtt://127.0.0.1:1883", "--server", "http://127.0.0.1:9"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert done.returncode == 2
    assert "PLATEKEEPER_AGENT_TOKEN" in done.stderr

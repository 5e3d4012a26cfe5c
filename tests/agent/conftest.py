"""Agent test helpers: painted plates and videos, agent configs, agent and server processes,
a fault-injecting proxy, and a look into the server's and the agent's databases."""

from __future__ import annotations

import contextlib
import http.server
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.agent.block_engine import plate_image
from tests.support.live import free_port, running_server
from tests.support.processes import LoggedProcess


def write_plate_images(folder: Path, plates: list[str]) -> list[Path]:
    """One PNG per plate (lossless, so the block engine reads it exactly), each written under a
    name the agent ignores and then renamed, as a camera's uploader would."""
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for plate in plates:
        ok, encoded = cv2.imencode(".png", plate_image(plate))
        assert ok
        partial = folder / f"{plate}.part"
        partial.write_bytes(encoded.tobytes())
        path = partial.rename(folder / f"{plate}.png")
        paths.append(path)
    return paths


def write_video(path: Path, plates: list[str], *, frames_per_pass: int = 8, gap: int = 8) -> None:
    """An MJPG video where each plate is visible for `frames_per_pass` frames, then none."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (320, 240))
    for plate in plates:
        for _ in range(frames_per_pass):
            writer.write(plate_image(plate))
        for _ in range(gap):
            writer.write(plate_image(""))
    writer.release()


def agent_toml(
    tmp_path: Path,
    server_url: str,
    token: str,
    *,
    sources: str,
    extra: str = "",
    batch_size: int = 10,
    engine: str = "blocks",
) -> Path:
    """A config with fast retries, the block engine and the given `[[source]]` tables."""
    config = tmp_path / "agent.toml"
    config.write_text(
        f"""
log_level = "INFO"
{extra}

[server]
url = "{server_url}"
token = "{token}"
timeout_seconds = 2

[recognition]
engine = "{engine}"
plugins = ["tests.agent.block_engine"]
min_confidence = 0.1

[grouping]
max_gap_seconds = 0.35

[upload]
batch_size = {batch_size}
interval_seconds = 0.05
backoff_initial_seconds = 0.05
backoff_max_seconds = 0.4

[hotlists]
sync_seconds = 0.5

[heartbeat]
interval_seconds = 0.5

{sources}
"""
    )
    return config


class AgentProcess(LoggedProcess):
    """`platekeeper agent` as a child process, its log in a file of its own."""

    def __init__(self, config: Path, *args: str) -> None:
        log_path = config.with_suffix(f".{int(time.monotonic() * 1000)}.log")
        super().__init__(["agent", "--config", str(config), *args], log_path)


@pytest.fixture
def agents() -> Iterator[Callable[..., AgentProcess]]:
    """Start agents; every one still running is stopped at the end of the test."""
    started: list[AgentProcess] = []

    def start(config: Path, *args: str) -> AgentProcess:
        agent = AgentProcess(config, *args)
        started.append(agent)
        return agent

    yield start
    for agent in started:
        agent.stop()


@contextlib.contextmanager
def server_on(env: dict[str, str], port: int) -> Iterator[str]:
    """`platekeeper serve` on a chosen port (to stop it and bring it back on the same one)."""
    with running_server({**env, "PLATEKEEPER_LOG_LEVEL": "WARNING"}, port=port) as base:
        yield base


def server_plates(env: dict[str, str]) -> list[str]:
    """Every stored read's plate (one entry per stored read), from the server's SQLite file."""
    path = Path(env["PLATEKEEPER_DATA_DIR"]) / "platekeeper.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        return [row[0] for row in db.execute("SELECT plate FROM reads_read")]


def server_value(env: dict[str, str], sql: str) -> object:
    path = Path(env["PLATEKEEPER_DATA_DIR"]) / "platekeeper.sqlite3"
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        row = db.execute(sql).fetchone()
    return row[0] if row else None


def outbox_depth(path: Path) -> int:
    if not path.exists():
        return -1
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        except sqlite3.OperationalError:
            return -1


def wait_for(predicate: Callable[[], bool], timeout: float, what: str, log: Callable[[], str]):
    """Poll until `predicate` holds; fail naming `what` with the agent's log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n--- agent log ---\n{log()[-4000:]}")


class FaultProxy:
    """An HTTP proxy in front of the real server that misbehaves on request.

    `plan` maps the n-th POST to /api/v1/reads (1-based) to a fault: "500" (answer 500 without
    forwarding), "timeout" (forward, then hold the answer past the agent's timeout: the server
    stored the batch but the agent never hears), or "hang" (forward, then hold the answer until
    `release` is set; `held` is set once it holds one).
    """

    def __init__(self, upstream: str, plan: dict[int, str] | None = None) -> None:
        self.upstream = upstream
        self.plan = dict(plan or {})
        self.posts = 0
        self.answers: list[dict] = []
        self.held = threading.Event()
        self.release = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._relay("GET", b"")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fault = None
                if self.path == "/api/v1/reads":
                    proxy.posts += 1
                    fault = proxy.plan.get(proxy.posts)
                if fault == "500":
                    self._send(500, b'{"detail": "injected failure"}', {})
                    return
                self._relay("POST", body, fault)

            def _relay(self, method: str, body: bytes, fault: str | None = None) -> None:
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "content-length", "connection")
                }
                try:
                    answer = httpx.request(
                        method,
                        proxy.upstream + self.path,
                        content=body,
                        headers=headers,
                        timeout=10,
                    )
                except httpx.HTTPError:
                    self._send(502, b'{"detail": "upstream down"}', {})
                    return
                if method == "POST" and self.path == "/api/v1/reads" and answer.status_code == 200:
                    proxy.answers.append(answer.json())
                if fault == "timeout":
                    time.sleep(3)  # the agent's timeout is 2 s
                    return
                if fault == "hang":
                    proxy.held.set()
                    proxy.release.wait(30)
                    return
                self._send(answer.status_code, answer.content, answer.headers)

            def _send(self, status: int, content: bytes, headers) -> None:
                with contextlib.suppress(OSError):
                    self.send_response(status)
                    for key in ("Content-Type", "ETag"):
                        if key in headers:
                            self.send_header(key, headers[key])
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

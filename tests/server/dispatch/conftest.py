"""A hotlist (the alerts tests' one), its shared secret, and a dispatch receiver on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from platekeeper.server.dispatch.signing import SIGNATURE_HEADER, verify_signature_header
from tests.server.alerts.conftest import hotlist  # noqa: F401 (a fixture used here too)

SECRET = b"4f1c2b7e9a0d3c5b8e6f1a2d4c7b9e0f"


@dataclass
class Receiver:
    """A dispatch system's webhook: it checks the signature as the README says to, answers 500
    to the first `failures` requests, and keeps what it accepted."""

    url: str = ""
    failures: int = 0
    requests: list[dict] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "dispatch.secret"
    path.write_bytes(SECRET + b"\n")
    return path


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            signed = verify_signature_header(
                SECRET, self.headers.get(SIGNATURE_HEADER, ""), body, now=int(time.time())
            )
            request = {
                "body": json.loads(body),
                "signed": signed,
                "event": self.headers["Platekeeper-Event"],
                "delivery": self.headers["Platekeeper-Delivery"],
            }
            state.requests.append(request)
            status = 401 if not signed else 500 if len(state.requests) <= state.failures else 204
            if status == 204:
                state.accepted.append(request)
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_port}/cad/alpr"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()

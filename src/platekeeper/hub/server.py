"""The hub's HTTP interface: GET /api/v1/hub/search and GET /healthz, nothing else.

A small threaded server from the standard library: the hub keeps no state but its
configuration, so it needs no framework and no database.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from platekeeper.hub.fanout import SEARCH_PARAMETERS, HubConfig, fan_out

log = logging.getLogger(__name__)


def make_server(config: HubConfig, host: str, port: int) -> ThreadingHTTPServer:
    """A server answering hub searches with `config`; call serve_forever() on it."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/healthz":
                self._answer(HTTPStatus.OK, {"status": "ok"})
                return
            if parts.path != "/api/v1/hub/search":
                self._answer(HTTPStatus.NOT_FOUND, {"detail": "not found"})
                return
            token = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            if not token or not config.allows(token):
                self._answer(HTTPStatus.UNAUTHORIZED, {"detail": "Authorization: unknown token"})
                return
            query = parse_qs(parts.query)
            params = {name: values[-1] for name, values in query.items()}
            unknown = sorted(set(params) - set(SEARCH_PARAMETERS))
            if unknown:
                self._answer(
                    HTTPStatus.BAD_REQUEST, {"detail": f"{unknown[0]}: not a search parameter"}
                )
                return
            if not params.get("plate"):
                self._answer(HTTPStatus.BAD_REQUEST, {"detail": "plate: is required"})
                return
            merged = fan_out(config, params)
            log.info(
                "hub search %s: %s",
                params.get("plate"),
                ", ".join(f"{m['name']} {m['status']}" for m in merged["members"]),
            )
            self._answer(HTTPStatus.OK, {"plate": params["plate"], **merged})

        def _answer(self, status: HTTPStatus, body: dict) -> None:
            data = json.dumps(body, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            log.debug(format, *args)

    return ThreadingHTTPServer((host, port), Handler)

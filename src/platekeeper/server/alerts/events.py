"""The live alert feed: server-sent events that push new alerts to open alerts pages.

Each open page holds one `text/event-stream` response. The stream polls the database once a
second through `queries.new_alerts_since` (gated, and audited only when it discloses alerts),
so it works the same with several server processes and with SQLite or PostgreSQL, and needs no
message broker. A stream ends after a few minutes and the browser's EventSource reconnects with
the last id it saw (`Last-Event-ID`), so no alert is lost and a server can always shut down.

Every poll (at most `POLL_SECONDS` apart, well inside the 5 s the policy work asks for) first
re-reads the account (disabled, locked, training, second factor) and the web session; when one
no longer allows access the stream ends with a `refused` event saying why, and sends nothing
after it. The database connection goes back to the pool after each poll, so a sleeping stream
holds none (`PLATEKEEPER_DB_POOL_SIZE` bounds them per process).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Max

from platekeeper.server.access.gate import (
    AccessDenied,
    Justification,
    Requester,
    standing_problem,
)
from platekeeper.server.alerts.models import Alert
from platekeeper.server.alerts.queries import AlertPage, AlertSummary, new_alerts_since

POLL_SECONDS = 1.0
STREAM_SECONDS = 300.0
KEEPALIVE_SECONDS = 15.0
#: How long the browser waits before reconnecting after a stream ends (milliseconds).
RETRY_MILLISECONDS = 2000


def latest_alert_id() -> int:
    """The newest alert id (a number only): where a freshly opened page's feed starts."""
    return Alert.objects.aggregate(latest=Max("id"))["latest"] or 0


def encode(event: str, data: Any, event_id: int | None = None) -> bytes:
    """One server-sent event; `data` is sent as one line of JSON."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    body = json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":"))
    return f"{head}event: {event}\ndata: {body}\n\n".encode()


def poll(
    requester: Requester,
    justification: Justification | None,
    after_id: int,
    session_problem: Callable[[], str | None],
) -> AlertPage:
    """One poll: re-check the account and the session, then fetch new alerts (gated).

    Returns the connection to the pool afterwards, unless a test's transaction holds it.
    """
    try:
        problem = standing_problem(requester) or session_problem()
        if problem:
            raise AccessDenied(problem)
        return new_alerts_since(requester, justification, after_id)
    finally:
        if not connection.in_atomic_block:
            connection.close()


def _no_session_problem() -> str | None:
    return None


async def alert_stream(
    requester: Requester,
    justification: Justification | None,
    after_id: int,
    describe: Callable[[AlertSummary, str], dict[str, Any]],
    session_problem: Callable[[], str | None] = _no_session_problem,
) -> AsyncIterator[bytes]:
    """Yield each alert raised after `after_id` as an `alert` event, until the stream's time is
    up (`bye`) or the account, the session or the gate no longer allows it (`refused` with the
    reason, e.g. the account was disabled while the page was open)."""
    fetch = sync_to_async(poll)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    quiet_since = loop.time()
    last = after_id
    yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
    while loop.time() < deadline:
        try:
            page = await fetch(requester, justification, last, session_problem)
        except AccessDenied as error:
            yield encode("refused", {"reason": str(error)})
            return
        for alert in page.results:
            yield encode("alert", describe(alert, page.crops.get(alert.id, "")), event_id=alert.id)
            last = alert.id
        if page.results:
            quiet_since = loop.time()
        elif loop.time() - quiet_since > KEEPALIVE_SECONDS:
            yield b": keepalive\n\n"
            quiet_since = loop.time()
        await asyncio.sleep(POLL_SECONDS)
    yield encode("bye", {"last": last}, event_id=last)

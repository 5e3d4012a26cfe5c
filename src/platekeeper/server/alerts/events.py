"""The live alert feed: server-sent events that push new alerts to open alerts pages.

Each open page holds one `text/event-stream` response. The stream polls the database once a
second through `queries.new_alerts_since` (gated, and audited only when it discloses alerts),
so it works the same with several server processes and with SQLite or PostgreSQL, and needs no
message broker. A stream ends after a few minutes and the browser's EventSource reconnects with
the last id it saw (`Last-Event-ID`), so no alert is lost and a server can always shut down.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max

from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.alerts.models import Alert
from platekeeper.server.alerts.queries import AlertSummary, new_alerts_since

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


async def alert_stream(
    requester: Requester,
    justification: Justification | None,
    after_id: int,
    describe: Callable[[AlertSummary], dict[str, Any]],
) -> AsyncIterator[bytes]:
    """Yield each alert raised after `after_id` as an `alert` event, until the stream's time is
    up (`bye`) or the gate refuses (`refused`, e.g. training lapsed while the page was open)."""
    fetch = sync_to_async(new_alerts_since)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    quiet_since = loop.time()
    last = after_id
    yield f"retry: {RETRY_MILLISECONDS}\n\n".encode()
    while loop.time() < deadline:
        try:
            alerts = await fetch(requester, justification, last)
        except AccessDenied as error:
            yield encode("refused", {"reason": str(error)})
            return
        for alert in alerts:
            yield encode("alert", describe(alert), event_id=alert.id)
            last = alert.id
        if alerts:
            quiet_since = loop.time()
        elif loop.time() - quiet_since > KEEPALIVE_SECONDS:
            yield b": keepalive\n\n"
            quiet_since = loop.time()
        await asyncio.sleep(POLL_SECONDS)
    yield encode("bye", {"last": last}, event_id=last)

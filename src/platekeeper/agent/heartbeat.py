"""Health reports to the server: queue depth, read rate, last error, version and the agent's clock.

The server compares the clock with its own and flags the camera when they disagree; the answer
carries the offset so the agent can warn locally too.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from platekeeper import __version__
from platekeeper.agent.outbox import Outbox

logger = logging.getLogger(__name__)

#: The agent warns when the server says its clock is off by more than this.
CLOCK_WARNING_SECONDS = 60.0
_RATE_WINDOW_SECONDS = 600.0


class Health:
    """Counters the agent's threads update and the heartbeat reports. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recent: collections.deque[float] = collections.deque()
        self.reads = 0
        self.frames = 0
        self.last_error = ""
        self.last_error_at: dt.datetime | None = None

    def read_queued(self) -> None:
        now = time.monotonic()
        with self._lock:
            self.reads += 1
            self._recent.append(now)
            while self._recent and self._recent[0] < now - _RATE_WINDOW_SECONDS:
                self._recent.popleft()

    def frame_read(self) -> None:
        with self._lock:
            self.frames += 1

    def error(self, message: str) -> None:
        """Remember the latest failure, stamped, so the server's page says when it happened."""
        now = dt.datetime.now(dt.UTC)
        with self._lock:
            self.last_error = f"{now:%Y-%m-%d %H:%M:%S}Z {message}"[:500]
            self.last_error_at = now

    def reads_per_minute(self) -> float:
        now = time.monotonic()
        with self._lock:
            recent = sum(1 for t in self._recent if t >= now - _RATE_WINDOW_SECONDS)
        return round(recent / (_RATE_WINDOW_SECONDS / 60), 2)


def heartbeat_report(
    outbox: Outbox, health: Health, clock: Callable[[], dt.datetime]
) -> dict[str, Any]:
    """The JSON body of `POST /api/v1/agent/heartbeat`."""
    stats = outbox.stats()
    return {
        "version": __version__,
        "agent_time": clock().isoformat(),
        "queue_depth": stats.depth,
        "oldest_queued_at": stats.oldest_queued_at.isoformat() if stats.oldest_queued_at else None,
        "queue_bytes": stats.image_bytes + stats.database_bytes,
        "images_evicted": stats.images_evicted,
        "rejected": stats.rejected,
        "reads_per_minute": health.reads_per_minute(),
        "frames": health.frames,
        "last_error": health.last_error,
    }


def send_heartbeat(
    client: httpx.Client, outbox: Outbox, health: Health, clock: Callable[[], dt.datetime]
) -> float | None:
    """Send one heartbeat; returns the clock offset the server measured (seconds), if any."""
    response = client.post("/api/v1/agent/heartbeat", json=heartbeat_report(outbox, health, clock))
    response.raise_for_status()
    offset = response.json().get("clock_offset_seconds")
    if offset is not None and abs(offset) > CLOCK_WARNING_SECONDS:
        logger.warning(
            "CLOCK: this machine's clock is off by %+.0f s from the server's; read times will be "
            "wrong. Fix time sync (NTP/GPS).",
            offset,
        )
    return offset

"""Read replicas: gated searches and canvasses read from PostgreSQL hot standbys.

`DATABASE_REPLICA_URLS` (comma-separated) adds one database alias per standby (`replica1`,
...). The gate runs each search inside a transaction on the primary and calls `fetch_on_replica`
there: while the fetch runs, `ReplicaRouter` sends its reads to a standby that answers and is
no further behind than PLATEKEEPER_REPLICA_MAX_LAG_SECONDS; the audit event is then written on
the primary, in the transaction that was open all along, so no result leaves the gate without
its audit record (a failed audit rolls back, and the fetched rows are never returned). Writes,
the audit append and every other query stay on the primary.

A standby that is down, lagging, or fails in the middle of a fetch is set aside for a few
seconds and the fetch runs again on the primary: a search never fails because of a replica.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, connection, connections

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Gated permissions whose fetch only reads, so any up-to-date copy of the data can answer it.
READ_ONLY_PERMISSIONS = frozenset({"search_reads", "canvass_reads"})
#: Seconds a standby's health answer is trusted before it is asked again.
_HEALTH_SECONDS = 2.0
#: Seconds a standby that failed is left alone before it is tried again.
_DOWN_SECONDS = 10.0

_reading_from: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "platekeeper_replica", default=None
)
_health: dict[str, tuple[float, bool]] = {}
_health_lock = threading.Lock()


class ReplicaRouter:
    """Django database router: reads inside `fetch_on_replica` go to the chosen standby."""

    def db_for_read(self, model, **hints) -> str | None:
        return _reading_from.get()

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool:
        return db == "default"


def replica_aliases() -> list[str]:
    """The configured standbys' database aliases, in DATABASE_REPLICA_URLS order."""
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def fetch_on_replica(permission: str, fetch: Callable[[], T]) -> T:
    """Run a gated fetch on a healthy standby when one is configured and the permission only
    reads; on the primary otherwise, or again on the primary when the standby fails."""
    alias = _usable_replica() if permission in READ_ONLY_PERMISSIONS else None
    if alias is None:
        return fetch()
    token = _reading_from.set(alias)
    try:
        return fetch()
    except DatabaseError as error:
        # Down, cut off, or a query cancelled by recovery: the primary answers instead (a
        # query that is wrong fails there too, and that error is the one raised).
        log.warning(
            "replica %s failed during a fetch (%s); answering from the primary", alias, error
        )
        connections[alias].close()
        _mark(alias, usable=False, for_seconds=_DOWN_SECONDS)
    finally:
        _reading_from.reset(token)
    return fetch()


def _usable_replica() -> str | None:
    for alias in replica_aliases():
        now = time.monotonic()
        with _health_lock:
            checked = _health.get(alias)
        if checked and checked[0] > now:
            if checked[1]:
                return alias
            continue
        usable = _answers_in_time(alias)
        _mark(alias, usable=usable, for_seconds=_HEALTH_SECONDS if usable else _DOWN_SECONDS)
        if usable:
            return alias
    return None


def _answers_in_time(alias: str) -> bool:
    """The standby answers, is in recovery, and has replayed what the primary had written a
    moment ago, or replayed a transaction within the allowed lag."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn, "
                "extract(epoch FROM now() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            in_recovery, caught_up, lag = cursor.fetchone()
    except DatabaseError as error:
        log.warning("replica %s is not answering (%s); searches use the primary", alias, error)
        connections[alias].close()
        return False
    if not in_recovery:
        log.warning("replica %s is not a standby; searches use the primary", alias)
        return False
    max_lag = settings.PLATEKEEPER_REPLICA_MAX_LAG_SECONDS
    if caught_up or (lag is not None and float(lag) <= max_lag):
        return True
    log.warning("replica %s is %.0f s behind; searches use the primary", alias, float(lag or 0))
    return False


def _mark(alias: str, *, usable: bool, for_seconds: float) -> None:
    with _health_lock:
        _health[alias] = (time.monotonic() + for_seconds, usable)

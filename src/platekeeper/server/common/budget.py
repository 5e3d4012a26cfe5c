"""A time budget for each gated read of ALPR data, so no request can pin a CPU or a connection.

The cost bounds of each search (days, grid cells, rows, polygon vertices) are checked before
it runs; this is the second guard, for what those bounds cannot foresee (a busy disk, a lock).
Within the budget (PLATEKEEPER_QUERY_SECONDS):

- PostgreSQL: `statement_timeout` is set for the query's transaction only (`set_config(...,
  true)`, so a pooled connection never keeps it) and reset before the audit event is written;
- SQLite: a progress handler interrupts the running statement once the time is up;
- both: no new statement starts once the time is up.

Running past it raises `ServerBusy` naming the bound, which the API and the pages answer
with 503 and Retry-After (`common.busy`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from django.conf import settings
from django.db import OperationalError, connection

from platekeeper.server.common.busy import ServerBusy

#: Virtual-machine steps between two looks at the clock in SQLite (well under a millisecond).
_SQLITE_STEPS = 10_000
#: Gated actions that read ALPR data in bulk get the budget; others (an evidence export onto
#: media, a records release) are long by nature and bounded by their own size checks.
_BUDGETED_PREFIXES = ("reads.", "images.", "alerts.")


def budget_for(action: str) -> float | None:
    """The seconds a gated action may take, or None when it has no time budget."""
    if not action.startswith(_BUDGETED_PREFIXES):
        return None
    return float(settings.PLATEKEEPER_QUERY_SECONDS)


@contextlib.contextmanager
def time_budget(action: str) -> Iterator[None]:
    """Run the block within the action's budget; raise ServerBusy when it runs past it.

    Call inside the query's transaction (the gate does), so PostgreSQL's setting ends with it.
    """
    seconds = budget_for(action)
    if seconds is None:
        yield
        return
    deadline = time.monotonic() + seconds
    message = (
        f"{action} ran past its time budget of {seconds:g} s (PLATEKEEPER_QUERY_SECONDS); "
        "narrow the time window, the area or the plate pattern, or try again when the server "
        "is less busy"
    )

    def refuse_late_statements(execute, sql, params, many, context):
        if time.monotonic() > deadline:
            raise ServerBusy(message)
        return execute(sql, params, many, context)

    connection.ensure_connection()
    try:
        with (
            _statement_deadline(seconds, deadline),
            connection.execute_wrapper(refuse_late_statements),
        ):
            yield
    except OperationalError as error:
        if _was_interrupted(error):
            raise ServerBusy(message) from None
        raise


@contextlib.contextmanager
def _statement_deadline(seconds: float, deadline: float) -> Iterator[None]:
    if connection.vendor == "postgresql":
        milliseconds = str(max(1, int(seconds * 1000)))
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [milliseconds])
        yield
        # Not for the audit event that follows in the same transaction. After an error the
        # transaction (or its savepoint) rolls back, which undoes the setting by itself.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
        return
    raw = connection.connection
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _SQLITE_STEPS)
    try:
        yield
    finally:
        raw.set_progress_handler(None, _SQLITE_STEPS)


def _was_interrupted(error: OperationalError) -> bool:
    """PostgreSQL's 'canceling statement due to statement timeout', SQLite's 'interrupted'."""
    cause = error.__cause__
    if connection.vendor == "postgresql":
        from psycopg.errors import QueryCanceled

        return isinstance(cause, QueryCanceled)
    return "interrupted" in str(error)

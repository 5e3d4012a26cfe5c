"""When the server is too busy: 503 with Retry-After, never 500.

Two things make a request wait too long: no database connection is free in the pool within
PLATEKEEPER_DB_POOL_TIMEOUT, or a gated query runs past its time budget (`common.budget`).
Both answer 503 with a `Retry-After` header and one line saying which bound was reached, and
log one line without a traceback: a busy server is not a bug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse

from platekeeper.errors import PlatekeeperError

log = logging.getLogger(__name__)
#: What a client is told to wait before trying again, in seconds.
RETRY_AFTER_SECONDS = 5


class ServerBusy(PlatekeeperError):
    """The request could not be served in time; the message names the bound that was reached."""


def pool_exhausted(error: BaseException) -> bool:
    """Whether `error` (or what caused it) is the pool's 'no connection in time'."""
    from psycopg_pool import PoolTimeout

    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, PoolTimeout):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def as_busy(error: BaseException) -> ServerBusy | None:
    """The error as a ServerBusy when it is one of the two, else None."""
    if isinstance(error, ServerBusy):
        return error
    if isinstance(error, OperationalError) and pool_exhausted(error):
        return ServerBusy(
            "the server has no free database connection right now "
            "(PLATEKEEPER_DB_POOL_SIZE connections, all in use); try again shortly"
        )
    return None


def busy_response(request: HttpRequest, busy: ServerBusy) -> HttpResponse:
    """503 with Retry-After: JSON under /api/, plain text elsewhere."""
    log.warning("503 %s %s: %s", request.method, request.path, busy)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": str(busy)}, status=503)
    else:
        response = HttpResponse(
            f"The server is busy: {busy}.", status=503, content_type="text/plain; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServerBusyMiddleware:
    """Borrow the request's database connection first, so a full pool answers 503 before any
    work is done; turn a pool timeout or a spent time budget in a view into 503 as well."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            connection.ensure_connection()
        except OperationalError as error:
            busy = as_busy(error)
            if busy is None:
                raise
            return busy_response(request, busy)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        busy = as_busy(exception)
        return busy_response(request, busy) if busy else None

"""Liveness for machines."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse

from platekeeper import __version__


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the test harness: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "version": __version__})

"""Web pages. Views stay thin: they call actions and queries and render templates."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from platekeeper import __version__


def home(request: HttpRequest) -> HttpResponse:
    """The landing page."""
    return render(request, "web/home.html", {"version": __version__})


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the test harness: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "version": __version__})

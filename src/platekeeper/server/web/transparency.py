"""The public transparency page and its JSON twin: no login, no plate, no person."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from platekeeper.server.transparency.queries import public_figures


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    return render(request, "web/transparency.html", {"figures": public_figures()})


@require_GET
def transparency_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(dataclasses.asdict(public_figures()))

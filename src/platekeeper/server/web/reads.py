"""Plate search, a read's page and its images: ALPR data, so a purpose must be stated first."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from platekeeper.server.access.gate import (
    AccessDenied,
    RecordNotFound,
    training_problem,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.queries import hotlist_hits_of
from platekeeper.server.corrections.queries import corrections_of
from platekeeper.server.reads.queries import QueryError, read_image, read_page
from platekeeper.server.reads.queries import search_plate as search_plate_query
from platekeeper.server.web import forms
from platekeeper.server.web.common import (
    AuthenticatedRequest,
    image_response,
    justification,
    needs_purpose,
    refused,
    requester,
    require,
)
from platekeeper.server.web.field_names import in_form_words
from platekeeper.server.web.paging import cursor_pager


@require(Permission.SEARCH_READS, action="reads.search")
@require_GET
def search(request: AuthenticatedRequest) -> HttpResponse:
    if justification(request) is None:
        return needs_purpose(request)
    form = forms.SearchForm(
        request.GET if "plate" in request.GET else None,
        initial=forms.recent_window(forms.SEARCH_WINDOW),
    )
    context: dict[str, Any] = {
        "form": form,
        "training_problem": training_problem(request.user),
    }
    if not form.is_bound or not form.is_valid():
        return render(request, "web/search.html", context, status=400 if form.errors else 200)
    try:
        page = search_plate_query(
            requester(request),
            justification(request),
            plate=form.cleaned_data["plate"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            cursor=request.GET.get("cursor") or None,
            lookalike=form.cleaned_data["lookalike"],
            vehicle=form.vehicle(),
        )
    except (AccessDenied, QueryError) as error:
        return refused(request, "web/search.html", context, in_form_words(error, form))
    pager = cursor_pager(request, len(page.results), page.next_cursor, "read")
    context.update(page=page, pager=pager, searched=True)
    return render(request, "web/search.html", context)


@require(Permission.SEARCH_READS, action="reads.detail")
@require_GET
def read_view(request: AuthenticatedRequest, read_id: uuid.UUID) -> HttpResponse:
    if justification(request) is None:
        return needs_purpose(request)
    try:
        page = read_page(requester(request), justification(request), str(read_id))
    except (AccessDenied, QueryError, RecordNotFound) as error:
        return refused(request, "web/read.html", {}, error)
    detail = page.detail
    return render(
        request,
        "web/read.html",
        {
            "detail": detail,
            "read": detail,
            "images": page.images,
            "corrections": corrections_of(detail.id),
            "hotlist_hits": hotlist_hits_of(detail.id),
            "correction_form": forms.CorrectionForm(),
        },
    )


@require(Permission.SEARCH_READS, action="images.view")
@require_GET
def image_view(request: AuthenticatedRequest, sha256: str) -> HttpResponse:
    return image_response(lambda: read_image(requester(request), justification(request), sha256))

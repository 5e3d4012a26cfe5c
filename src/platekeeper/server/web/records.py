"""Records request pages (Policy 438.9): the commander's queue, intake, decision and release.

Views stay thin: `records.actions` checks the role, the deadline rules and the legal basis and
audits every change; a release is the evidence export of Policy 438.4, downloaded as a ZIP
exactly as `platekeeper records release` writes it.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.roles import Role
from platekeeper.server.records.actions import (
    amend_decision,
    decide_request,
    extend_deadline,
    release_records,
    take_in_request,
)
from platekeeper.server.records.models import Decision, RecordsRequest
from platekeeper.server.records.queries import (
    RecordsError,
    list_requests,
    may_release,
    next_step,
    people_by_role,
    request_detail,
)
from platekeeper.server.retention.actions import RetentionError
from platekeeper.server.retention.queries import EvidenceError
from platekeeper.server.web import forms
from platekeeper.server.web.common import AuthenticatedRequest, refused, requester
from platekeeper.server.web.evidence import MANIFEST_HEADER
from platekeeper.server.web.paging import counted_pager

#: What a change can be refused with: the gate, the request's rules, the hold or the export.
REFUSALS = (AccessDenied, RecordsError, RetentionError, EvidenceError)


# --- the queue and intake ------------------------------------------------------------------


def _queue_context(
    request: AuthenticatedRequest, intake_form: forms.RecordsIntakeForm
) -> dict[str, Any]:
    today = timezone.localdate()
    filters = forms.RecordsFilterForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = list_requests(
        requester(request), status=status, page=request.GET.get("page"), today=today
    )
    people = people_by_role()
    return {
        "pager": counted_pager(request, page, "request"),
        "rows": [_row(row, today, people) for row in page.object_list],
        "filter_form": filters,
        "status": status,
        "intake_form": intake_form,
    }


def _row(
    row: RecordsRequest, today: dt.date, people: Mapping[Role, tuple[str, ...]]
) -> dict[str, Any]:
    """A request with what its deadline means today and who must act next, for the queue and
    the detail page."""
    days_left = row.days_left(today)
    return {
        "records_request": row,
        "next_step": next_step(row, people),
        "open": row.is_open(),
        "overdue": row.is_overdue(today),
        "days_left": days_left,
        "days_overdue": -days_left,
    }


@login_required
@require_http_methods(["GET", "POST"])
def records(request: AuthenticatedRequest) -> HttpResponse:
    """Requests soonest due first, overdue ones marked; the intake form beside them."""
    form = forms.RecordsIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = take_in_request(requester(request), **form.cleaned_data)
        except REFUSALS as error:
            return refused(request, "web/records.html", _queue_context(request, form), error)
        messages.success(
            request,
            f"Request {row.number} taken in and routed to the {row.routed_to_label}; "
            f"due {row.due_on:%Y-%m-%d}.",
        )
        return redirect("web:records_request", number=row.number)
    status = 400 if form.errors else 200
    return render(request, "web/records.html", _queue_context(request, form), status=status)


# --- one request ---------------------------------------------------------------------------


def _found(request: AuthenticatedRequest, number: str) -> RecordsRequest:
    try:
        return request_detail(requester(request), number)
    except RecordsError:
        raise Http404(f"no records request {number}") from None


def _detail_context(
    request: AuthenticatedRequest, row: RecordsRequest, **forms_given: Any
) -> dict[str, Any]:
    releasable = row.decision in {Decision.RELEASE, Decision.PARTIAL}
    return {
        **_row(row, timezone.localdate(), people_by_role()),
        "releases": list(row.releases.all()),
        "amendments": list(row.amendments.all()),
        "releasable": releasable,
        "may_release": may_release(request.user),
        "extend_form": forms_given.get("extend_form") or forms.RecordsExtendForm(),
        "decision_form": forms_given.get("decision_form") or forms.RecordsDecisionForm(),
        "amend_form": forms_given.get("amend_form") or forms.RecordsAmendForm(),
        "release_form": forms_given.get("release_form") or forms.RecordsReleaseForm(),
    }


def _detail_page(
    request: AuthenticatedRequest,
    row: RecordsRequest,
    error: Exception | None = None,
    **forms_given: Any,
) -> HttpResponse:
    context = _detail_context(request, row, **forms_given)
    if error is not None:
        return refused(request, "web/records_request.html", context, error)
    status = 400 if any(form.errors for form in forms_given.values()) else 200
    return render(request, "web/records_request.html", context, status=status)


@login_required
@require_GET
def records_request(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """The intake, the deadline, the decision and the release log of one request."""
    return _detail_page(request, _found(request, number))


def _change(
    request: AuthenticatedRequest,
    number: str,
    form_name: str,
    form: Any,
    act: Callable[[dict[str, Any]], tuple[RecordsRequest, str]],
) -> HttpResponse:
    """Apply a change from a form of the request's page: back to the page with what was
    wrong (the form's errors, or the refusal's reason), or to the page with what was done."""
    if not form.is_valid():
        return _detail_page(request, _found(request, number), **{form_name: form})
    try:
        row, done = act(form.cleaned_data)
    except REFUSALS as error:
        return _detail_page(request, _found(request, number), error, **{form_name: form})
    messages.success(request, done)
    return redirect("web:records_request", number=row.number)


@login_required
@require_POST
def records_extend(request: AuthenticatedRequest, number: str) -> HttpResponse:
    def extend(data: dict[str, Any]) -> tuple[RecordsRequest, str]:
        row = extend_deadline(requester(request), number, reason=data["reason"])
        return row, f"Deadline extended: {row.number} is now due {row.due_on:%Y-%m-%d}."

    return _change(request, number, "extend_form", forms.RecordsExtendForm(request.POST), extend)


@login_required
@require_POST
def records_decide(request: AuthenticatedRequest, number: str) -> HttpResponse:
    def decide(data: dict[str, Any]) -> tuple[RecordsRequest, str]:
        row = decide_request(requester(request), number, **data)
        return row, f"{row.number} decided: {row.get_decision_display()}."

    form = forms.RecordsDecisionForm(request.POST)
    return _change(request, number, "decision_form", form, decide)


@login_required
@require_POST
def records_amend(request: AuthenticatedRequest, number: str) -> HttpResponse:
    """The commander amends a decision with a reason; the page then shows its history."""

    def amend(data: dict[str, Any]) -> tuple[RecordsRequest, str]:
        row = amend_decision(requester(request), number, **data)
        return row, f"{row.number} amended: now {row.get_decision_display()}."

    form = forms.RecordsAmendForm(request.POST)
    return _change(request, number, "amend_form", form, amend)


def _zip_name(number: str) -> str:
    return f"records-{re.sub(r'[^A-Za-z0-9-]+', '_', number)}.zip"


@login_required
@require_POST
def records_release(request: AuthenticatedRequest, number: str) -> HttpResponse | FileResponse:
    """Release the chosen reads as a ZIP download (held, exported, audited, logged).

    The release log on the request's page keeps the manifest's SHA-256 for the handover form.
    """
    row = _found(request, number)
    form = forms.RecordsReleaseForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, row, release_form=form)
    name = _zip_name(row.number)
    # Written under the data dir, then streamed; the open handle outlives the removed folder.
    staging = Path(tempfile.mkdtemp(prefix="records-release-", dir=settings.DATA_DIR))
    try:
        release = release_records(
            requester(request),
            row.number,
            selection=form.selection(),
            out=staging / name,
            export_name=f"{name} (downloaded by {request.user.get_username()})",
        )
        handle = (staging / name).open("rb")
    except REFUSALS as error:
        return _detail_page(request, _found(request, number), error, release_form=form)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    messages.success(
        request,
        f"Released {release.read_count} reads for {row.number}; manifest SHA-256 "
        f"{release.manifest_sha256}.",
    )
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/zip"
    )
    response[MANIFEST_HEADER] = release.manifest_sha256
    response["Cache-Control"] = "no-store"
    return response

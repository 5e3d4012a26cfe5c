"""The audit log and the auditor's reports (438.5(c))."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.queries import AuditFilter, audit_log, last_chain_verification
from platekeeper.server.access.reports import ReportError, build_report, report_csv
from platekeeper.server.access.roles import Permission
from platekeeper.server.common import labels
from platekeeper.server.reviews.actions import ReviewError, review_sample
from platekeeper.server.reviews.models import ReviewDecision
from platekeeper.server.reviews.queries import worklist
from platekeeper.server.web import forms
from platekeeper.server.web.common import (
    AuthenticatedRequest,
    refused,
    requester,
    require,
)
from platekeeper.server.web.paging import counted_pager


@login_required
@require_GET
def audit(request: AuthenticatedRequest) -> HttpResponse:
    """The audit log (viewing it is audited) and the last background chain verification."""
    form = forms.AuditFilterForm(request.GET or None)
    chosen = AuditFilter()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        chosen = AuditFilter(
            username=data["username"].strip(),
            action=data["action"].strip(),
            outcome=data["outcome"] or "",
            since=_local_midnight(data["start"]) if data["start"] else None,
            until=_local_midnight(data["end"] + dt.timedelta(days=1)) if data["end"] else None,
        )
    page = audit_log(requester(request), chosen, request.GET.get("page"))
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "pager": counted_pager(request, page, "event"),
            "actions": labels.ACTIONS,
            "verification": last_chain_verification(),
        },
    )


@require(Permission.VIEW_AUDIT, action="audit.report")
@require_GET
def audit_report(request: AuthenticatedRequest) -> HttpResponse:
    """Run one of the auditor's reports; `?format=csv` downloads it. Each run is audited."""
    form = (
        forms.ReportForm(request.GET) if "kind" in request.GET else forms.ReportForm.with_defaults()
    )
    context: dict[str, Any] = {"form": form}
    if not form.is_bound or not form.is_valid():
        return render(request, "web/audit_report.html", context, status=400 if form.errors else 200)
    data = form.cleaned_data
    try:
        report = build_report(
            data["kind"],
            requester=requester(request),
            start=data["start"],
            end=data["end"],
            sample_size=data["sample_size"] or 20,
        )
    except ReportError as error:
        return refused(request, "web/audit_report.html", context, error)
    if request.GET.get("format") == "csv":
        response = HttpResponse(report_csv(report), content_type="text/csv; charset=utf-8")
        filename = f"platekeeper-{report.kind}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    query = request.GET.copy()
    query["format"] = "csv"
    columns, rows = report.in_words(separators=True)
    context.update(report=report, columns=columns, rows=rows, csv_link=f"?{query.urlencode()}")
    return render(request, "web/audit_report.html", context)


@require(Permission.VIEW_AUDIT, action="audit.samples.view")
@require_GET
def audit_samples(request: AuthenticatedRequest) -> HttpResponse:
    """The Auditor's worklist: every access a `sample` report drew, with its review (or a form
    for one); `?unreviewed=1` shows only those still waiting. Viewing it is audited."""
    return _worklist_page(request)


@require(Permission.VIEW_AUDIT, action="audit.sample.review")
@require_POST
def audit_sample_review(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    """Record the Auditor's review of one sampled access; the action validates and audits it."""
    try:
        review_sample(
            event_id,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
            requester=requester(request),
        )
    except ReviewError as error:
        return _worklist_page(request, error=error, failed_event=event_id)
    target = reverse("web:audit_samples")
    if request.POST.get("unreviewed"):
        target += "?unreviewed=1"
    return redirect(f"{target}#access-{event_id}")


def _worklist_page(
    request: AuthenticatedRequest, *, error: Exception | None = None, failed_event: int = 0
) -> HttpResponse:
    unreviewed = bool(request.GET.get("unreviewed") or request.POST.get("unreviewed"))
    context: dict[str, Any] = {
        "items": worklist(requester(request), unreviewed_only=unreviewed),
        "unreviewed": unreviewed,
        "decisions": ReviewDecision.choices,
        "failed_event": failed_event,
        "posted": request.POST,
    }
    if error is not None:
        return refused(request, "web/audit_samples.html", context, error)
    return render(request, "web/audit_samples.html", context)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

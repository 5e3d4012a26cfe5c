"""Alert pages: the live list, one alert with its verification steps, the metrics, corrections.

A hit is not probable cause (Policy 438.3(f)): the detail page puts the captured plate beside
the entry and records the visual check and the CLETS/NCIC check before enforcement. Every view
stays thin: `alerts.queries` reads (gated, audited), `alerts.actions` changes (audited).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import import_module
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.gate import (
    AccessDenied,
    RecordNotFound,
    denial_reason,
    training_problem,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts import actions, events, metrics
from platekeeper.server.alerts.models import AlertStatus
from platekeeper.server.alerts.queries import (
    AlertSummary,
    alert_evidence,
    alert_image,
    list_alerts,
    patrol_or,
)
from platekeeper.server.common import labels
from platekeeper.server.corrections.actions import CorrectionError, correct_read
from platekeeper.server.reads.queries import QueryError
from platekeeper.server.web import forms
from platekeeper.server.web.common import (
    AuthenticatedRequest,
    image_response,
    justification,
    refused,
    requester,
    require,
    safe_next,
)
from platekeeper.server.web.middleware import CONTENT_SECURITY_POLICY, mark_passive
from platekeeper.server.web.paging import cursor_pager

#: How each match kind reads to the officer who must weigh it.
MATCH_KINDS = {
    "exact": "Exact: the read and the entry have the same characters.",
    "lookalike": (
        "Look-alike: the characters differ only where a camera confuses similar shapes "
        "(0/O/D/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G). Compare the image with the entry closely."
    ),
    "partial": (
        "Partial plate: the read fits a pattern with unknown characters (? one, * any run), "
        "entered after a crime. Many plates fit a pattern; the vehicle must match too."
    ),
    "fuzzy": (
        "One character away: the read differs from the entry by one character. This list "
        "accepts near misses, so a misread or a different plate is likely."
    ),
}
CLETS_REMINDER = (
    "An ALPR alert is not probable cause. Verify through CLETS before enforcement "
    "(Policy 438.3(f))."
)
#: The steps a form may post, each calling one action (which asks the gate itself).
STEPS = {
    "acknowledge": lambda alert_id, who, why, data: actions.acknowledge(
        alert_id, requester=who, justification=why
    ),
    "visual-check": lambda alert_id, who, why, data: actions.record_visual_check(
        alert_id, data["result"], requester=who, justification=why, note=data["note"]
    ),
    "clets-check": lambda alert_id, who, why, data: actions.record_clets_check(
        alert_id, data["result"], requester=who, justification=why, note=data["note"]
    ),
    "close": lambda alert_id, who, why, data: actions.close_alert(
        alert_id, data["result"], requester=who, justification=why, note=data["note"]
    ),
    "enforcement": lambda alert_id, who, why, data: actions.record_enforcement(
        alert_id, requester=who, justification=why, note=data["note"]
    ),
}
STEP_DONE = {
    "acknowledge": "Acknowledged.",
    "visual-check": "Visual check recorded.",
    "clets-check": "CLETS/NCIC check recorded.",
    "close": "Outcome recorded; the alert is closed.",
    "enforcement": "Enforcement action recorded.",
}


def describe(alert: AlertSummary, crop: str = "") -> dict[str, Any]:
    """An alert as the live feed sends it (the browser builds the row from this, as text); the
    crop is inline (`data:`), disclosed and audited with the alert."""
    return {
        "id": alert.id,
        "plate": alert.plate,
        "hotlist": alert.hotlist,
        "category": alert.category,
        "priority": alert.priority,
        "entry_plate": alert.entry_plate,
        "match_kind": alert.match_kind,
        "match_label": labels.label("match_kind", alert.match_kind),
        "status": AlertStatus(alert.status).label,
        "stale": alert.stale,
        "camera": alert.camera,
        "captured_at": labels.local_time(alert.captured_at, seconds=True),
        "url": reverse("web:alert", args=[alert.id]),
        "crop_url": crop,
    }


# --- the list and its live feed --------------------------------------------------------------


@dataclass(frozen=True)
class PlateHits:
    """The alerts of one plate on a page of the feed: its newest as the row, the rest behind it,
    so a car passing camera after camera takes one row, not a screenful."""

    newest: AlertSummary
    older: tuple[AlertSummary, ...]

    @property
    def count(self) -> int:
        return 1 + len(self.older)


def group_by_plate(alerts: Sequence[AlertSummary]) -> list[PlateHits]:
    """One `PlateHits` per plate, in the order of each plate's first (newest) alert."""
    by_plate: dict[str, list[AlertSummary]] = {}
    for alert in alerts:
        by_plate.setdefault(alert.plate, []).append(alert)
    return [PlateHits(hits[0], tuple(hits[1:])) for hits in by_plate.values()]


@require(Permission.VIEW_ALERTS, action="alerts.list")
@require_GET
def alerts_page(request: AuthenticatedRequest) -> HttpResponse:
    """The alert feed; without a stated purpose it is patrol work (`hotlist_alert_response`)."""
    form = forms.AlertFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    context: dict[str, Any] = {
        "form": form,
        "status": status,
        "match_kinds": MATCH_KINDS,
        "training_problem": training_problem(request.user),
        # Taken before the list, so an alert raised in between is pushed (the page skips
        # rows it already shows) rather than missed.
        "latest_id": events.latest_alert_id(),
    }
    cursor = request.GET.get("cursor") or ""
    try:
        page = list_alerts(
            requester(request),
            justification(request),
            status=status or None,
            after_id=int(cursor) if cursor.isdigit() else None,
            with_crops=True,
        )
    except (AccessDenied, QueryError) as error:
        return refused(request, "web/alerts.html", context, error)
    context.update(
        page=page,
        plates=group_by_plate(page.results),
        pager=cursor_pager(request, len(page.results), page.next_cursor, "alert"),
        live=not cursor and not status,
    )
    return render(request, "web/alerts.html", context)


@require(Permission.VIEW_ALERTS, action="alerts.live")
@require_GET
def alert_stream(request: AuthenticatedRequest) -> HttpResponseBase:
    """Server-sent events: each new alert as it is raised (see `alerts.events`).

    The page reconnects by itself, so this does not count as activity for the idle timeout.
    """
    mark_passive(request)
    stated = patrol_or(justification(request))
    refusal = denial_reason(requester(request), Permission.VIEW_ALERTS, stated)
    if refusal:
        # 204 tells EventSource to stop reconnecting; the page shows why from its own load.
        return HttpResponse(status=204)
    last_seen = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    after_id = int(last_seen) if last_seen.isdigit() else 0
    response = StreamingHttpResponse(
        events.alert_stream(
            requester(request), stated, after_id, describe, session_checker(request)
        ),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass events through as they come
    return response


def session_checker(request: AuthenticatedRequest) -> Callable[[], str | None]:
    """A check, for each poll of the stream, that the web session that opened it still holds
    (not signed out, not expired for idleness)."""
    key, user_id = request.session.session_key, str(request.user.pk)
    engine = import_module(settings.SESSION_ENGINE)

    def problem() -> str | None:
        stored = engine.SessionStore(session_key=key).load()
        if str(stored.get("_auth_user_id", "")) != user_id:
            return "your session has ended; sign in again"
        return None

    return problem


# --- one alert -------------------------------------------------------------------------------


def map_tiles() -> str:
    """The tile URL template for maps (`PLATEKEEPER_MAP_TILES`), or "" for a plain background."""
    return getattr(settings, "PLATEKEEPER_MAP_TILES", "") or ""


def with_tile_source(response: HttpResponse, tiles: str) -> HttpResponse:
    """Allow the map's tile server as an image source on this page only."""
    if tiles:
        parts = urlsplit(tiles)
        origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self' data:", f"img-src 'self' data: {origin}"
        )
    return response


@require(Permission.VIEW_ALERTS, action="alerts.detail")
@require_GET
def alert_detail(request: AuthenticatedRequest, alert_id: int) -> HttpResponse:
    try:
        evidence = alert_evidence(requester(request), justification(request), alert_id)
    except (AccessDenied, QueryError) as error:
        return refused(request, "web/alert.html", {}, error)
    alert = evidence.summary
    closed = alert.status not in metrics.OPEN_STATUSES
    tiles = map_tiles()
    response = render(
        request,
        "web/alert.html",
        {
            "evidence": evidence,
            "alert": alert,
            "status_label": AlertStatus(alert.status).label,
            "category_label": labels.label("hotlist_category", alert.category),
            "match_explained": MATCH_KINDS.get(alert.match_kind, alert.match_kind),
            "reminder": CLETS_REMINDER,
            "closed": closed,
            "history": [
                {
                    **step,
                    "label": labels.label("alert_step", step["action"]),
                    "result": labels.label("alert_result", step["value"]),
                }
                for step in evidence.history
            ],
            "map_tiles": tiles,
            "map_attribution": getattr(settings, "PLATEKEEPER_MAP_ATTRIBUTION", ""),
            "correction_form": forms.CorrectionForm(),
            # Offered until recorded, so that trying it early shows why it is refused.
            "show_enforcement": not evidence.enforcement_recorded
            and (not closed or alert.status == AlertStatus.VERIFIED),
        },
    )
    return with_tile_source(response, tiles)


@require(Permission.VIEW_ALERTS, action="alerts.detail")
@require_GET
def alert_image_view(request: AuthenticatedRequest, alert_id: int, which: str) -> HttpResponse:
    return image_response(
        lambda: alert_image(requester(request), justification(request), alert_id, which)
    )


@login_required
@require_POST
def alert_step(request: AuthenticatedRequest, alert_id: int, step: str) -> HttpResponse:
    """Record one verification step; a refusal comes back as a message saying why.

    Without a stated purpose the step is patrol work (`hotlist_alert_response`)."""
    back = redirect("web:alert", alert_id=alert_id)
    if step not in STEPS:
        messages.error(request, f"step: must be one of {', '.join(STEPS)}")
        return back
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
        return back
    try:
        STEPS[step](alert_id, requester(request), justification(request), form.cleaned_data)
    except RecordNotFound as error:
        return refused(request, "web/alert.html", {}, error)
    except actions.AlertError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, STEP_DONE[step])
    return back


# --- metrics ---------------------------------------------------------------------------------


@require(Permission.VIEW_AUDIT, Permission.MANAGE_SETTINGS)
@require_GET
def alert_metrics(request: AuthenticatedRequest) -> HttpResponse:
    """Counts only (lists, cameras, times): no purpose needed, like the dashboard."""
    form = forms.MetricsForm(request.GET or None)
    days = (form.cleaned_data["days"] if form.is_valid() else None) or 30
    end = timezone.now()
    figures = metrics.alert_metrics(end - dt.timedelta(days=days), end)
    return render(
        request,
        "web/alert_metrics.html",
        {
            "form": form,
            "m": figures,
            "tables": [
                ("By list", "Hotlist", figures.by_list),
                ("By camera", "Camera", figures.by_camera),
            ],
        },
    )


# --- misread correction ----------------------------------------------------------------------


@login_required
@require_POST
def read_correct(request: AuthenticatedRequest, read_id: uuid.UUID) -> HttpResponse:
    """Correct a misread plate; the read keeps the camera's text and matching runs again."""
    back = safe_next(request)
    form = forms.CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items())
        )
        return redirect(back)
    try:
        result = correct_read(
            read_id,
            form.cleaned_data["plate"],
            requester=requester(request),
            reason=form.cleaned_data["reason"],
            justification=justification(request),
        )
    except (CorrectionError, RecordNotFound) as error:
        messages.error(request, str(error))
        return redirect(back)
    raised = len(result.alerts)
    messages.success(
        request,
        f"Corrected to {result.correction.corrected_plate} (the camera's reading is kept). "
        + (
            f"{raised} new alert{'s' if raised != 1 else ''} on the corrected plate."
            if raised
            else "The corrected plate matches no hotlist entry."
        )
        + " Close alerts raised on the misread as misread, with a note.",
    )
    if raised == 1:
        return redirect("web:alert", alert_id=result.alerts[0].id)
    return redirect(back)

"""The home page and the purpose and case number stated for an investigation session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platekeeper.server.access.audit import refusals_by_reason
from platekeeper.server.access.gate import (
    Justification,
    purpose_problem,
    training_problem,
)
from platekeeper.server.access.models import SecuritySettings, User
from platekeeper.server.access.prohibited import REASON as PROHIBITED
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.metrics import open_alert_count
from platekeeper.server.reads.queries import dashboard_counts
from platekeeper.server.records.queries import open_requests_for_commander
from platekeeper.server.sharing.queries import latest_self_check
from platekeeper.server.sharing.scope import is_partner, partner_purposes
from platekeeper.server.web import forms
from platekeeper.server.web.alerts import map_tiles, with_tile_source
from platekeeper.server.web.common import (
    PURPOSE_KEY,
    AuthenticatedRequest,
    safe_next,
)

#: The Auditor's dashboard flags refusals for a prohibited purpose of this many days.
FLAG_WINDOW_DAYS = 30


@login_required
@require_GET
def dashboard(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    latest = user.training_records.order_by("-expires_on").first()
    tiles = map_tiles()
    response = render(
        request,
        "web/dashboard.html",
        {
            "counts": dashboard_counts(),
            "alerts_open": open_alert_count(),
            "training_problem": training_problem(user),
            "training": latest,
            "needs_totp": SecuritySettings.current().require_totp and not user.totp_confirmed,
            # The camera map draws PLATEKEEPER_MAP_TILES when a department configures them.
            "map_tiles": tiles,
            "map_attribution": getattr(settings, "PLATEKEEPER_MAP_ATTRIBUTION", ""),
            **_duties(user),
        },
    )
    return with_tile_source(response, tiles)


def _duties(user: User) -> dict[str, Any]:
    """What waits on this person: requests to decide (438.9), a sharing alarm to answer, and
    for the Auditor the accesses refused for a prohibited purpose in the last 30 days."""
    duties: dict[str, Any] = {}
    if user.has_perm(f"access.{Permission.DECIDE_RECORDS_REQUESTS.value}"):
        duties["records_awaiting"] = open_requests_for_commander()
    if user.has_perm(f"access.{Permission.MANAGE_SHARING.value}") or user.has_perm(
        f"access.{Permission.VIEW_AUDIT.value}"
    ):
        check = latest_self_check()
        duties["sharing_alarm"] = check if check is not None and not check.ok else None
    if user.has_perm(f"access.{Permission.VIEW_AUDIT.value}"):
        since = timezone.now() - dt.timedelta(days=FLAG_WINDOW_DAYS)
        duties["prohibited_refused"] = refusals_by_reason(since).get(PROHIBITED, 0)
        duties["flag_window_days"] = FLAG_WINDOW_DAYS
        duties["flag_start"] = timezone.localtime(since).date()
        duties["flag_end"] = timezone.localdate()
    return duties


@login_required
@require_http_methods(["GET", "POST"])
def purpose_view(request: AuthenticatedRequest) -> HttpResponse:
    stated = request.session.get(PURPOSE_KEY) or {}
    user = request.user
    form = forms.PurposeForm(
        request.POST or None,
        initial={
            "purpose": stated.get("code"),
            "case_number": stated.get("case_number", ""),
            "note": stated.get("note", ""),
            "on_behalf_of": stated.get("on_behalf_of", ""),
            "on_behalf_of_person": stated.get("on_behalf_of_person", ""),
        },
        allowed=partner_purposes(user) if is_partner(user) else None,
    )
    if request.method == "POST" and form.is_valid():
        purpose = form.cleaned_data["purpose"]
        case_number = form.cleaned_data["case_number"].strip()
        problem = purpose_problem(Justification(purpose.code, case_number))
        if problem:
            form.add_error(None, problem)
        else:
            request.session[PURPOSE_KEY] = {
                "code": purpose.code,
                "label": purpose.label,
                "case_number": case_number,
                "note": form.cleaned_data["note"].strip(),
                "on_behalf_of": form.cleaned_data["on_behalf_of"].strip(),
                "on_behalf_of_person": form.cleaned_data["on_behalf_of_person"].strip(),
            }
            return redirect(safe_next(request, fallback="web:search"))
    return render(
        request,
        "web/purpose.html",
        {"form": form, "next": request.GET.get("next") or request.POST.get("next", "")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def purpose_clear(request: AuthenticatedRequest) -> HttpResponse:
    request.session.pop(PURPOSE_KEY, None)
    messages.info(request, "Investigation closed: state a purpose again before the next search.")
    return redirect("web:home")

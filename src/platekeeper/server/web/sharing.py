"""The sharing page (438.6, 438.9): the switch, agreements, the self-check and the sharing log.

Administrators change sharing; auditors see everything here and may run the self-check. Views
stay thin: `sharing.actions` refuses what the law forbids and audits every change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.models import Purpose
from platekeeper.server.access.roles import Permission
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.sharing.actions import (
    SharingError,
    add_agency,
    add_agreement,
    revoke_agreement,
    set_sharing,
)
from platekeeper.server.sharing.models import AgreementKind, Scope
from platekeeper.server.sharing.queries import (
    agreements_overview,
    disclosures,
    latest_self_check,
    sharing_enabled,
)
from platekeeper.server.sharing.selfcheck import run_self_check
from platekeeper.server.web.common import AuthenticatedRequest, requester
from platekeeper.server.web.paging import counted_pager

LOG_PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=AgencyType.choices)
    jurisdiction = forms.CharField(max_length=2, initial="CA", help_text="US for federal")
    ori = forms.CharField(max_length=9, required=False, label="ORI")


class AgreementForm(forms.Form):
    """Everything a contract or MOU names (438.6)."""

    partner = forms.ModelChoiceField(queryset=Agency.objects.filter(is_home=False))
    kind = forms.ChoiceField(choices=AgreementKind.choices, initial=AgreementKind.MOU)
    reference = forms.CharField(max_length=100, help_text="The document's number or title")
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, widget=forms.CheckboxSelectMultiple, label="Scope"
    )
    purposes = forms.ModelMultipleChoiceField(
        queryset=Purpose.objects.filter(active=True),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    partner_retention_days = forms.IntegerField(min_value=1, max_value=36_500)
    starts_on = forms.DateField(widget=DATE_INPUT)
    ends_on = forms.DateField(widget=DATE_INPUT)
    approved_by = forms.CharField(max_length=150, help_text="The Chief of Police who approved it")
    approved_on = forms.DateField(widget=DATE_INPUT)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=300)


def _page(request: AuthenticatedRequest, status: int = 200, **forms_given: Any) -> HttpResponse:
    agency_filter = request.GET.get("agency", "")
    log = disclosures(
        requester(request),
        agency=agency_filter,
        page_number=request.GET.get("page"),
        page_size=LOG_PAGE_SIZE,
    )
    context = {
        "here": "sharing",
        "enabled": sharing_enabled(),
        "agreements": agreements_overview(),
        "check": latest_self_check(),
        "log": log,
        "pager": counted_pager(request, log, "disclosure"),
        "agency_filter": agency_filter,
        "may_change": request.user.has_perm(f"access.{Permission.MANAGE_SHARING.value}"),
        "agreement_form": forms_given.get("agreement_form") or AgreementForm(),
        "agency_form": forms_given.get("agency_form") or AgencyForm(),
        "agencies": Agency.objects.filter(is_home=False).order_by("name"),
    }
    return render(request, "web/sharing.html", context, status=status)


@login_required
@require_GET
def sharing(request: AuthenticatedRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def sharing_switch(request: AuthenticatedRequest) -> HttpResponse:
    """Turn sharing on (with a reason) or off."""
    enabled = request.POST.get("enabled") == "1"
    try:
        set_sharing(enabled, requester=requester(request), reason=request.POST.get("reason", ""))
    except SharingError as error:
        messages.error(request, str(error))
        return _page(request, status=400)
    messages.success(request, "Sharing is on." if enabled else "Sharing is off.")
    return redirect("web:sharing")


def _submitted(
    request: AuthenticatedRequest,
    form_name: str,
    form: forms.Form,
    act: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Apply a valid form with `act`; on any error show the page with the form and why."""
    if form.is_valid():
        try:
            done = act(form.cleaned_data)
        except SharingError as error:
            form.add_error(None, str(error))
    if form.errors:
        return _page(request, status=400, **{form_name: form})
    messages.success(request, done)
    return redirect("web:sharing")


@login_required
@require_POST
def sharing_agency(request: AuthenticatedRequest) -> HttpResponse:
    def add(data: dict[str, Any]) -> str:
        agency = add_agency(
            data["name"],
            type=AgencyType(data["type"]),
            jurisdiction=data["jurisdiction"],
            ori=data["ori"],
            requester=requester(request),
        )
        return f"Agency {agency.name} recorded."

    return _submitted(request, "agency_form", AgencyForm(request.POST), add)


@login_required
@require_POST
def sharing_agreement(request: AuthenticatedRequest) -> HttpResponse:
    """Record an agreement; the page says why one with an ineligible partner is refused."""

    def add(data: dict[str, Any]) -> str:
        agreement = add_agreement(
            data["partner"],
            kind=AgreementKind(data["kind"]),
            reference=data["reference"],
            scopes=data["scopes"],
            purposes=[purpose.code for purpose in data["purposes"]],
            partner_retention_days=data["partner_retention_days"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            approved_by=data["approved_by"],
            approved_on=data["approved_on"],
            requester=requester(request),
        )
        return f"Agreement with {agreement.partner} recorded."

    return _submitted(request, "agreement_form", AgreementForm(request.POST), add)


@login_required
@require_POST
def sharing_revoke(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise SharingError("reason: say why the agreement is revoked")
        revoked = revoke_agreement(
            agreement_id, reason=form.cleaned_data["reason"], requester=requester(request)
        )
    except SharingError as error:
        messages.error(request, str(error))
        return _page(request, status=400)
    messages.success(request, f"Agreement with {revoked.partner} revoked; its access ended.")
    return redirect("web:sharing")


@login_required
@require_POST
def sharing_check(request: AuthenticatedRequest) -> HttpResponse:
    result = run_self_check(requester(request))
    if result.ok:
        messages.success(request, "Sharing matches the approved agreements.")
    else:
        messages.error(request, f"Drift found: {len(result.findings)} findings (see below).")
    return redirect("web:sharing")

"""The compliance page: each obligation of Policy 438 with pass/fail and evidence, and the
officials form. Views stay thin: `compliance.actions` gates, runs and audits both."""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.roles import Permission
from platekeeper.server.compliance.actions import (
    AUDIT_EVERY_DAYS_RANGE,
    ComplianceError,
    Officials,
    compliance_report,
    name_officials,
)
from platekeeper.server.web.common import AuthenticatedRequest, refused, requester, require

TEMPLATE = "web/compliance.html"


class OfficialsForm(forms.Form):
    """Who answers for the program (438.2.1(e)) and how often it is audited (438.5(c))."""

    administrator_name = forms.CharField(max_length=150, label="Administrator")
    administrator_title = forms.CharField(max_length=150, label="Administrator's title")
    designee_name = forms.CharField(
        max_length=150,
        label="Designee",
        help_text="The current designee overseeing the ALPR operation",
    )
    designee_title = forms.CharField(max_length=150, label="Designee's title")
    audit_every_days = forms.IntegerField(
        min_value=AUDIT_EVERY_DAYS_RANGE.start,
        max_value=AUDIT_EVERY_DAYS_RANGE.stop - 1,
        label="Audit report due every (days)",
    )


def _report_page(
    request: AuthenticatedRequest, *, form: OfficialsForm | None = None, status: int = 200
) -> HttpResponse:
    """Run the report (audited) and show it, with the officials form to those who may change it."""
    if form is None and request.user.has_perm(f"access.{Permission.MANAGE_SETTINGS.value}"):
        form = OfficialsForm(initial=dataclasses.asdict(Officials.current()))
    context: dict[str, Any] = {"form": form}
    try:
        results = compliance_report(requester=requester(request))
    except AccessDenied as error:
        return refused(request, TEMPLATE, context, error)
    context.update(results=results, failed=[result for result in results if not result.passed])
    return render(request, TEMPLATE, context, status=status)


@require(Permission.VIEW_COMPLIANCE, action="compliance.report")
@require_GET
def compliance(request: AuthenticatedRequest) -> HttpResponse:
    """Each obligation with pass/fail and evidence, checked afresh on every visit (audited)."""
    return _report_page(request)


@login_required
@require_POST
def compliance_officials(request: AuthenticatedRequest) -> HttpResponse:
    """Name the administrator and designee and set the audit interval (audited, or refused)."""
    form = OfficialsForm(request.POST)
    if not form.is_valid():
        return _report_page(request, form=form, status=400)
    try:
        named = name_officials(Officials(**form.cleaned_data), requester=requester(request))
    except AccessDenied as error:
        return refused(request, TEMPLATE, {"form": form}, error)
    except ComplianceError as error:
        form.add_error(None, str(error))
        return _report_page(request, form=form, status=400)
    messages.success(
        request,
        f"Named {named.administrator_name} as administrator and {named.designee_name} as "
        f"designee; an audit report is due every {named.audit_every_days} days.",
    )
    return redirect("web:compliance")

"""My account: one's own password and second factor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access import totp
from platekeeper.server.access.actions import (
    AccountError,
    change_password,
)
from platekeeper.server.access.models import SecuritySettings
from platekeeper.server.web import forms
from platekeeper.server.web.common import AuthenticatedRequest, requester


@login_required
@require_GET
def account(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "web/account.html", account_context(request))


def account_context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    context = {
        "password_form": forms.PasswordChangeForm(),
        "code_form": forms.CodeForm(),
        "totp_required": SecuritySettings.current().require_totp,
        "totp_uri": totp.provisioning_uri(user)
        if user.totp_secret and not user.totp_confirmed
        else "",
    }
    context.update(extra)
    return context


@login_required
@require_POST
def account_password(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        if not user.check_password(form.cleaned_data["current_password"]):
            form.add_error("current_password", "That is not your current password.")
        else:
            try:
                change_password(
                    user.username, form.cleaned_data["new_password"], requester=requester(request)
                )
            except AccountError as error:
                form.add_error("new_password", str(error).removeprefix("password: "))
            else:
                user.refresh_from_db()
                update_session_auth_hash(request, user)
                messages.success(request, "Your password is changed.")
                return redirect("web:account")
    return render(
        request, "web/account.html", account_context(request, password_form=form), status=400
    )


@login_required
@require_POST
def account_totp(request: AuthenticatedRequest) -> HttpResponse:
    """Start, confirm or remove the second factor (the button pressed says which)."""
    user = request.user
    step = request.POST.get("step")
    actor = requester(request)
    form = forms.CodeForm(request.POST if step in {"confirm", "remove"} else None)
    try:
        if step == "start":
            totp.start_totp_enrolment(user, requester=actor)
            return redirect("web:account")
        if step in {"confirm", "remove"} and form.is_valid():
            if step == "confirm":
                totp.confirm_totp(user, form.cleaned_data["code"], requester=actor)
                messages.success(request, "Second factor is on: sign-ins will ask for a code.")
            else:
                totp.remove_totp(user, requester=actor, code=form.cleaned_data["code"])
                messages.success(request, "Second factor is off.")
            return redirect("web:account")
    except totp.TotpError as error:
        form.add_error(None, str(error).removeprefix("code: "))
    return render(request, "web/account.html", account_context(request, code_form=form), status=400)

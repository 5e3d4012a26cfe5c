"""People: accounts, their second factor, and their training records (438.7)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from platekeeper.server.access import totp
from platekeeper.server.access.actions import (
    AccountError,
    create_user,
    disable_user,
    record_training,
    revoke_personal_tokens,
    set_require_totp,
)
from platekeeper.server.access.models import SecuritySettings, User
from platekeeper.server.access.queries import people, training_overview
from platekeeper.server.access.roles import Role
from platekeeper.server.web import forms
from platekeeper.server.web.common import (
    AuthenticatedRequest,
    requester,
)


@login_required
@require_http_methods(["GET", "POST"])
def users(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_user(
                data["username"],
                role=Role(data["role"]),
                password=data["password"],
                requester=requester(request),
                full_name=data["full_name"],
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Created {data['username']}. They can reach ALPR data once their training "
                "is recorded.",
            )
            return redirect("web:users")
    return render(
        request,
        "web/users.html",
        {
            "form": form,
            "people": people(requester(request)),
            "today": timezone.localdate(),
            "totp_required": SecuritySettings.current().require_totp,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def user_disable(request: AuthenticatedRequest, username: str) -> HttpResponse:
    if username == request.user.get_username():
        messages.error(request, "You cannot disable your own account.")
        return redirect("web:users")
    try:
        disable_user(username, requester=requester(request))
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Disabled {username}: they can no longer sign in.")
    return redirect("web:users")


@login_required
@require_POST
def user_reset_totp(request: AuthenticatedRequest, username: str) -> HttpResponse:
    """Clear a user's second factor (a lost phone); they set it up again from My account."""
    person = User.objects.filter(username=username).first()
    if person is None:
        messages.error(request, f"no user named {username!r}")
    else:
        totp.remove_totp(person, requester=requester(request))
        messages.success(request, f"Cleared the second factor of {username}.")
    return redirect("web:users")


@login_required
@require_POST
def require_totp_setting(request: AuthenticatedRequest) -> HttpResponse:
    """Make the second factor mandatory for everyone, or optional again."""
    required = request.POST.get("required") == "1"
    set_require_totp(required, requester=requester(request))
    messages.success(
        request,
        "A second factor is now mandatory for ALPR data."
        if required
        else "A second factor is now optional.",
    )
    return redirect("web:users")


@login_required
@require_http_methods(["GET", "POST"])
def training(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_training(
                form.cleaned_data["username"],
                completed_on=form.cleaned_data["completed_on"],
                requester=requester(request),
                recorded_by=request.user,
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Recorded training for {record.user.username}, valid until {record.expires_on}.",
            )
            return redirect("web:training")
    overview = training_overview(requester(request))
    return render(
        request,
        "web/training.html",
        {
            "form": form,
            "expiring": overview.expiring,
            "lapsed": overview.lapsed,
            "usernames": overview.usernames,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def user_revoke_tokens(request: AuthenticatedRequest, username: str) -> HttpResponse:
    """Revoke every personal API token of a person at once."""
    try:
        revoked = revoke_personal_tokens(username, requester=requester(request))
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Revoked {revoked} API token(s) of {username}.")
    return redirect("web:users")

"""Signing in (password, then a code where a second factor is set up) and out."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from platekeeper.server.access import totp
from platekeeper.server.access.actions import (
    LoginRefused,
    authenticate_password,
    record_logout,
)
from platekeeper.server.access.models import User
from platekeeper.server.web import forms
from platekeeper.server.web.common import (
    client_address,
    safe_next,
)

#: Session keys of the user between the password step and the code step of a login.
PENDING_USER_KEY = "platekeeper_pending_user"
PENDING_SINCE_KEY = "platekeeper_pending_since"
PENDING_LIFETIME = dt.timedelta(minutes=5)
#: A plain cookie (no data in it) that lets the login page tell "signed out for being idle"
#: from "never signed in".
SIGNED_IN_COOKIE = "platekeeper_signed_in"


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = forms.LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = authenticate_password(
                form.cleaned_data["username"],
                form.cleaned_data["password"],
                channel="ui",
                client_address=client_address(request),
            )
        except LoginRefused as refusal:
            error = str(refusal)
        else:
            if user.totp_confirmed:
                request.session[PENDING_USER_KEY] = user.pk
                request.session[PENDING_SINCE_KEY] = timezone.now().isoformat()
                target = reverse("web:login_code")
                if request.POST.get("next"):
                    target += "?" + urlencode({"next": request.POST["next"]})
                return redirect(target)
            return finish_login(request, user)
    idle = bool(request.GET.get("next") and request.COOKIES.get(SIGNED_IN_COOKIE))
    response = render(
        request,
        "web/login.html",
        {
            "form": form,
            "error": error,
            "next": request.GET.get("next") or request.POST.get("next", ""),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60 if idle else None,
        },
        status=401 if error else 200,
    )
    if idle:
        response.delete_cookie(SIGNED_IN_COOKIE)
    return response


def finish_login(request: HttpRequest, user: User) -> HttpResponse:
    request.session.pop(PENDING_USER_KEY, None)
    request.session.pop(PENDING_SINCE_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect(safe_next(request))
    response.set_cookie(
        SIGNED_IN_COOKIE,
        "1",
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def pending_user(request: HttpRequest) -> User | None:
    """The user who passed the password step moments ago, if the code step is still open."""
    user_id, since = request.session.get(PENDING_USER_KEY), request.session.get(PENDING_SINCE_KEY)
    if not user_id or not since:
        return None
    if timezone.now() - dt.datetime.fromisoformat(since) > PENDING_LIFETIME:
        return None
    return User.objects.select_related("agency").filter(pk=user_id).first()


@require_http_methods(["GET", "POST"])
def login_code_view(request: HttpRequest) -> HttpResponse:
    user = pending_user(request)
    if user is None:
        messages.info(request, "Sign in with your username and password first.")
        return redirect("web:login")
    form = forms.CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            totp.verify_login_code(
                user,
                form.cleaned_data["code"],
                channel="ui",
                client_address=client_address(request),
            )
        except LoginRefused as refusal:
            error = str(refusal)
            if not user.is_active or (user.locked_until and user.locked_until > timezone.now()):
                request.session.pop(PENDING_USER_KEY, None)
        else:
            return finish_login(request, user)
    return render(
        request,
        "web/login_code.html",
        {"form": form, "error": error, "next": request.GET.get("next", "")},
        status=401 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record_logout(request.user, channel="ui", client_address=client_address(request))
    logout(request)
    messages.info(request, "You are signed out.")
    response = redirect("web:login")
    response.delete_cookie(SIGNED_IN_COOKIE)
    return response

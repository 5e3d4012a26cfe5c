"""Web pages. Views stay thin: forms check input, actions and queries do the work and the auditing.

Every page needs a login except the login steps and /healthz (tests/web walks the URL list to
keep it so). Pages that show ALPR data need a purpose and case number, chosen once per
investigation and kept in the session (see `justification`).
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platekeeper import __version__
from platekeeper.server.access import totp
from platekeeper.server.access.actions import (
    AccountError,
    LoginRefused,
    authenticate_password,
    change_password,
    create_user,
    disable_user,
    record_logout,
    record_training,
    set_require_totp,
)
from platekeeper.server.access.audit import Actor, verify_chain
from platekeeper.server.access.gate import (
    AccessDenied,
    Justification,
    Requester,
    purpose_problem,
    training_problem,
)
from platekeeper.server.access.models import AuditEvent, SecuritySettings, User
from platekeeper.server.access.queries import training_due
from platekeeper.server.access.reports import ReportError, build_report, report_csv
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.alerts.metrics import open_alert_count
from platekeeper.server.alerts.queries import hotlist_hits_of
from platekeeper.server.corrections.queries import corrections_of
from platekeeper.server.reads.queries import QueryError, dashboard_counts, read_detail, read_image
from platekeeper.server.reads.queries import search_plate as search_plate_query
from platekeeper.server.records.queries import open_requests_for_commander
from platekeeper.server.sharing.queries import latest_self_check
from platekeeper.server.sharing.scope import is_partner, partner_purposes
from platekeeper.server.web import forms

#: Session keys. The purpose is per investigation session; the pending user is between the
#: password step and the code step of a login with a second factor.
PURPOSE_KEY = "platekeeper_purpose"
PENDING_USER_KEY = "platekeeper_pending_user"
PENDING_SINCE_KEY = "platekeeper_pending_since"
PENDING_LIFETIME = dt.timedelta(minutes=5)
#: A plain cookie (no data in it) that lets the login page tell "signed out for being idle"
#: from "never signed in".
SIGNED_IN_COOKIE = "platekeeper_signed_in"
AUDIT_PAGE_SIZE = 50

View = Callable[..., HttpResponseBase]


# --- helpers -------------------------------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def requester(request: HttpRequest) -> Requester:
    return Requester(request.user, channel="ui", client_address=client_address(request))  # type: ignore[arg-type]


def justification(request: HttpRequest) -> Justification | None:
    """The purpose and case number stated for this investigation session, if any."""
    stated = request.session.get(PURPOSE_KEY)
    if not stated:
        return None
    return Justification(purpose=stated["code"], case_number=stated["case_number"])


def require(*permissions: Permission) -> Callable[[View], View]:
    """Log in first; then refuse (403, with a page saying why) a role with none of `permissions`."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(request.user.has_perm(f"access.{p.value}") for p in permissions):
                labels = " or ".join(p.label.lower() for p in permissions)
                return render(
                    request,
                    "web/refused.html",
                    {"reason": f"Your role may not {labels}."},
                    status=403,
                )
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def needs_purpose(request: HttpRequest) -> HttpResponse:
    """Send the person to state a purpose, coming back here afterwards."""
    return redirect(f"{reverse('web:purpose')}?{urlencode({'next': request.get_full_path()})}")


def safe_next(request: HttpRequest, fallback: str = "web:home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


def refused(
    request: HttpRequest, template: str, context: dict[str, Any], error: Exception
) -> HttpResponse:
    """Render a page with the refusal of the gate or a query error in a red banner."""
    status = error.status if isinstance(error, AccessDenied) else 400
    return render(request, template, {**context, "refusal": str(error)}, status=status)


# --- signing in and out --------------------------------------------------------------------


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
        record_logout(request.user, channel="ui", client_address=client_address(request))  # type: ignore[arg-type]
    logout(request)
    messages.info(request, "You are signed out.")
    response = redirect("web:login")
    response.delete_cookie(SIGNED_IN_COOKIE)
    return response


# --- dashboard and purpose -----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    latest = user.training_records.order_by("-expires_on").first()
    return render(
        request,
        "web/dashboard.html",
        {
            "counts": dashboard_counts(),
            "alerts_open": open_alert_count(),
            "training_problem": training_problem(user),
            "training": latest,
            "needs_totp": SecuritySettings.current().require_totp and not user.totp_confirmed,
            **_duties(user),
        },
    )


def _duties(user: User) -> dict[str, Any]:
    """What waits on this person: requests to decide (438.9), a sharing alarm to answer."""
    duties: dict[str, Any] = {}
    if user.has_perm(f"access.{Permission.DECIDE_RECORDS_REQUESTS.value}"):
        duties["records_awaiting"] = open_requests_for_commander()
    if user.has_perm(f"access.{Permission.MANAGE_SHARING.value}") or user.has_perm(
        f"access.{Permission.VIEW_AUDIT.value}"
    ):
        check = latest_self_check()
        duties["sharing_alarm"] = check if check is not None and not check.ok else None
    return duties


@login_required
@require_http_methods(["GET", "POST"])
def purpose_view(request: HttpRequest) -> HttpResponse:
    stated = request.session.get(PURPOSE_KEY) or {}
    user: User = request.user  # type: ignore[assignment]
    form = forms.PurposeForm(
        request.POST or None,
        initial={"purpose": stated.get("code"), "case_number": stated.get("case_number", "")},
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
def purpose_clear(request: HttpRequest) -> HttpResponse:
    request.session.pop(PURPOSE_KEY, None)
    messages.info(request, "Investigation closed: state a purpose again before the next search.")
    return redirect("web:home")


# --- ALPR data -----------------------------------------------------------------------------


@require(Permission.SEARCH_READS)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    if justification(request) is None:
        return needs_purpose(request)
    form = forms.SearchForm(request.GET if "plate" in request.GET else None)
    context: dict[str, Any] = {
        "form": form,
        "training_problem": training_problem(request.user),  # type: ignore[arg-type]
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
        )
    except (AccessDenied, QueryError) as error:
        return refused(request, "web/search.html", context, error)
    next_link = None
    if page.next_cursor:
        query = request.GET.copy()
        query["cursor"] = page.next_cursor
        next_link = f"?{query.urlencode()}"
    context.update(page=page, next_link=next_link, searched=True)
    return render(request, "web/search.html", context)


@require(Permission.SEARCH_READS)
@require_GET
def read_view(request: HttpRequest, read_id: uuid.UUID) -> HttpResponse:
    if justification(request) is None:
        return needs_purpose(request)
    try:
        detail = read_detail(requester(request), justification(request), str(read_id))
    except (AccessDenied, QueryError) as error:
        return refused(request, "web/read.html", {}, error)
    return render(
        request,
        "web/read.html",
        {
            "detail": detail,
            "read": detail,
            "corrections": corrections_of(detail.id),
            "hotlist_hits": hotlist_hits_of(detail.id),
            "correction_form": forms.CorrectionForm(),
        },
    )


def image_response(fetch: Callable[[], tuple[bytes, str]]) -> HttpResponse:
    """An image from a gated query, never cached; a refusal or a missing image as plain text."""
    try:
        data, content_type = fetch()
    except AccessDenied as error:
        return HttpResponse(str(error), status=error.status, content_type="text/plain")
    except QueryError as error:
        return HttpResponse(str(error), status=404, content_type="text/plain")
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


@require(Permission.SEARCH_READS)
@require_GET
def image_view(request: HttpRequest, sha256: str) -> HttpResponse:
    return image_response(lambda: read_image(requester(request), justification(request), sha256))


# --- people --------------------------------------------------------------------------------


@require(Permission.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    form = forms.NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            create_user(
                data["username"],
                role=Role(data["role"]),
                password=data["password"],
                actor=Actor.of(request.user),
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
    people = (
        User.objects.select_related("agency")
        .prefetch_related("groups")
        .annotate(training_expires=Max("training_records__expires_on"))
        .order_by("username")
    )
    return render(
        request,
        "web/users.html",
        {
            "form": form,
            "people": people,
            "today": timezone.localdate(),
            "totp_required": SecuritySettings.current().require_totp,
        },
        status=400 if form.errors else 200,
    )


@require(Permission.MANAGE_USERS)
@require_POST
def user_disable(request: HttpRequest, username: str) -> HttpResponse:
    if username == request.user.get_username():
        messages.error(request, "You cannot disable your own account.")
        return redirect("web:users")
    try:
        disable_user(username, actor=Actor.of(request.user))
    except AccountError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Disabled {username}: they can no longer sign in.")
    return redirect("web:users")


@require(Permission.MANAGE_USERS)
@require_POST
def user_reset_totp(request: HttpRequest, username: str) -> HttpResponse:
    """Clear a user's second factor (a lost phone); they set it up again from My account."""
    person = User.objects.filter(username=username).first()
    if person is None:
        messages.error(request, f"no user named {username!r}")
    else:
        totp.remove_totp(person, actor=Actor.of(request.user))
        messages.success(request, f"Cleared the second factor of {username}.")
    return redirect("web:users")


@require(Permission.MANAGE_SETTINGS)
@require_POST
def require_totp_setting(request: HttpRequest) -> HttpResponse:
    """Make the second factor mandatory for everyone, or optional again."""
    required = request.POST.get("required") == "1"
    set_require_totp(required, actor=Actor.of(request.user))
    messages.success(
        request,
        "A second factor is now mandatory for ALPR data."
        if required
        else "A second factor is now optional.",
    )
    return redirect("web:users")


@require(Permission.RECORD_TRAINING)
@require_http_methods(["GET", "POST"])
def training(request: HttpRequest) -> HttpResponse:
    form = forms.TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = record_training(
                form.cleaned_data["username"],
                completed_on=form.cleaned_data["completed_on"],
                actor=Actor.of(request.user),
                recorded_by=request.user,  # type: ignore[arg-type]
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Recorded training for {record.user.username}, valid until {record.expires_on}.",
            )
            return redirect("web:training")
    today = timezone.localdate()
    due = training_due(within_days=30, today=today)
    return render(
        request,
        "web/training.html",
        {
            "form": form,
            "expiring": [d for d in due if d.expires_on and d.expires_on >= today],
            "lapsed": [d for d in due if not d.expires_on or d.expires_on < today],
            "usernames": User.objects.filter(is_active=True)
            .order_by("username")
            .values_list("username", flat=True),
        },
        status=400 if form.errors else 200,
    )


# --- audit ---------------------------------------------------------------------------------


@require(Permission.VIEW_AUDIT)
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    form = forms.AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.order_by("-id")
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["username"]:
            events = events.filter(username=data["username"].strip())
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["outcome"]:
            events = events.filter(outcome=data["outcome"])
        if data["start"]:
            events = events.filter(occurred_at__gte=_local_midnight(data["start"]))
        if data["end"]:
            events = events.filter(
                occurred_at__lt=_local_midnight(data["end"] + dt.timedelta(days=1))
            )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    filters.pop("verify", None)
    return render(
        request,
        "web/audit.html",
        {
            "form": form,
            "page": page,
            "filters": filters.urlencode(),
            "verification": verify_chain() if request.GET.get("verify") else None,
        },
    )


@require(Permission.VIEW_AUDIT)
@require_GET
def audit_report(request: HttpRequest) -> HttpResponse:
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
            actor=Actor.of(request.user),
            start=data["start"],
            end=data["end"],
            sample_size=data["sample_size"] or 20,
            channel="ui",
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
    context.update(report=report, csv_link=f"?{query.urlencode()}")
    return render(request, "web/audit_report.html", context)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- my account ----------------------------------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    return render(request, "web/account.html", account_context(request))


def account_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user: User = request.user  # type: ignore[assignment]
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
def account_password(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = forms.PasswordChangeForm(request.POST)
    if form.is_valid():
        if not user.check_password(form.cleaned_data["current_password"]):
            form.add_error("current_password", "That is not your current password.")
        else:
            try:
                change_password(
                    user.username, form.cleaned_data["new_password"], actor=Actor.of(user)
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
def account_totp(request: HttpRequest) -> HttpResponse:
    """Start, confirm or remove the second factor (the button pressed says which)."""
    user: User = request.user  # type: ignore[assignment]
    step = request.POST.get("step")
    actor = Actor.of(user)
    form = forms.CodeForm(request.POST if step in {"confirm", "remove"} else None)
    try:
        if step == "start":
            totp.start_totp_enrolment(user, actor=actor)
            return redirect("web:account")
        if step in {"confirm", "remove"} and form.is_valid():
            if step == "confirm":
                totp.confirm_totp(user, form.cleaned_data["code"], actor=actor)
                messages.success(request, "Second factor is on: sign-ins will ask for a code.")
            else:
                totp.remove_totp(user, actor=actor, code=form.cleaned_data["code"])
                messages.success(request, "Second factor is off.")
            return redirect("web:account")
    except totp.TotpError as error:
        form.add_error(None, str(error).removeprefix("code: "))
    return render(request, "web/account.html", account_context(request, code_form=form), status=400)


# --- machines ------------------------------------------------------------------------------


def health(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers and the test harness: answers once the database does."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "version": __version__})

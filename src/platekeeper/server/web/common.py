"""What every page shares: the requester and stated purpose of a request, the decorator that
signs in and asks the gate whether a person may use a page at all, the way back after a step,
and how a refusal is shown.

Every page needs a login except the login steps and /healthz (tests/web walks the URL list to
keep it so). Pages that show ALPR data need a purpose and case number, chosen once per
investigation and kept in the session (see `justification`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from platekeeper.server.access.gate import (
    AccessDenied,
    ApprovalPending,
    Justification,
    RecordNotFound,
    Requester,
    approval_number,
    authorize_standing,
)
from platekeeper.server.access.models import User
from platekeeper.server.access.roles import Permission
from platekeeper.server.reads.queries import QueryError

#: Session key of the purpose and case number stated for this investigation session.
PURPOSE_KEY = "platekeeper_purpose"

View = Callable[..., HttpResponseBase]


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind `login_required` or `require`: its user is signed in.

    For annotations only (Django builds plain HttpRequests): it tells the type checker what
    the decorator guarantees, so views use `request.user` as a User without casts.
    """

    user: User


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def requester(request: AuthenticatedRequest, origin: str = "") -> Requester:
    """The signed-in person. A held broad request is sent again with its approval number (a
    link's query, or a form's field) from its `origin`: the page asked again, by GET, unless
    a form names the page that fills it in again (the hotlist entry's search-back)."""
    return Requester(
        request.user,
        channel="ui",
        client_address=client_address(request),
        approval=approval_number(request.GET.get("approval") or request.POST.get("approval")),
        origin=origin or (request.get_full_path() if request.method == "GET" else ""),
    )


def justification(request: HttpRequest) -> Justification | None:
    """The purpose, case number, case description and on whose behalf, stated for this
    investigation session, if any (the gate screens the free text and judges the agency)."""
    stated = request.session.get(PURPOSE_KEY)
    if not stated:
        return None
    return Justification(
        purpose=stated["code"],
        case_number=stated["case_number"],
        note=stated.get("note", ""),
        on_behalf_of_agency=stated.get("on_behalf_of", ""),
        on_behalf_of_person=stated.get("on_behalf_of_person", ""),
    )


def require(*permissions: Permission, action: str = "") -> Callable[[View], View]:
    """Log in first; then ask the gate whether this person may use a page of any of
    `permissions` at all (account, role, training; `gate.authorize_standing`), a refusal audited
    as `action`: what the page's own query or action would have recorded (`web.<view>` when
    unnamed). What the page reads or changes is asked again by that gated query or action
    (purpose, second factor, a partner's agreement)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        @login_required
        def wrapped(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            authorize_standing(
                requester(request),
                permissions,
                action=action or f"web.{view.__name__}",
                query={"path": request.path},
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
    status = error.status if isinstance(error, (AccessDenied, RecordNotFound)) else 400
    held = isinstance(error, ApprovalPending)
    return render(
        request, template, {**context, "refusal": str(error), "held": held}, status=status
    )


def image_response(fetch: Callable[[], tuple[bytes, str]]) -> HttpResponse:
    """An image from a gated query, never cached; a refusal or a missing image as plain text."""
    try:
        data, content_type = fetch()
    except AccessDenied as error:
        return HttpResponse(str(error), status=error.status, content_type="text/plain")
    except (QueryError, RecordNotFound) as error:
        return HttpResponse(str(error), status=404, content_type="text/plain")
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response

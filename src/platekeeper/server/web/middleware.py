"""Security headers for every response: a strict Content-Security-Policy, and no caching of pages
that show ALPR or account data; idle sessions; and the page for a refusal of the access gate."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from platekeeper.server.access.gate import AccessDenied, ApprovalPending, RecordNotFound

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    """Add the CSP (no inline scripts or styles anywhere) and keep signed-in pages out of caches."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Shared workstations: the back button must not show a search after logout.
            response.headers["Cache-Control"] = "no-store"
        return response


#: The request attribute that `mark_passive` sets (HttpRequest does not declare it).
_PASSIVE_SESSION = "passive_session"


def mark_passive(request: HttpRequest) -> None:
    """Keep this request from counting as activity for the idle timeout."""
    setattr(request, _PASSIVE_SESSION, True)


class IdleSessionMiddleware(SessionMiddleware):
    """Sessions expire after SESSION_COOKIE_AGE idle seconds; every request counts as activity
    except those marked passive (`mark_passive`), such as the live alert feed that an open page
    reconnects by itself: a screen left alone must still sign out."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, _PASSIVE_SESSION, False):
            return response
        return super().process_response(request, response)


class GateRefusalMiddleware:
    """A refusal an action raised (the gate asks inside every action, not the view) becomes the
    refusal page with its status and reason, so a view needs no permission logic of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (AccessDenied, RecordNotFound)):
            held = isinstance(exception, ApprovalPending)
            return render(
                request,
                "web/refused.html",
                {"reason": str(exception), "held": held},
                status=exception.status,
            )
        return None

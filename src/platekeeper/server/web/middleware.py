"""Security headers for every response: a strict Content-Security-Policy, and no caching of pages
that show ALPR or account data."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

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


class IdleSessionMiddleware(SessionMiddleware):
    """Sessions expire after SESSION_COOKIE_AGE idle seconds; every request counts as activity
    except those marked passive (`request.passive_session = True`), such as the live alert
    feed that an open page reconnects by itself: a screen left alone must still sign out."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "passive_session", False):
            return response
        return super().process_response(request, response)

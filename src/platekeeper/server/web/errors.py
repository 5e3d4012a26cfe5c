"""The pages for a missing page, a forbidden request, an expired form and a server failure, in
the site's layout (Django's own are unstyled), and as JSON under /api/ where clients expect JSON.

They say what happened and where to go next, never why in detail: no stack trace, no path
that was tried beyond the one the person typed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error_page(
    request: HttpRequest, status: int, api_detail: str, title: str, message: str
) -> HttpResponse:
    """JSON `{"detail": ...}` under /api/, else the site's error page in its layout."""
    if _is_api(request):
        return JsonResponse({"detail": api_detail}, status=status)
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: an unknown address."""
    return _error_page(
        request,
        404,
        "Not Found",
        "Page not found",
        "There is no page at this address. Check the link, or start again from the dashboard.",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler403: a request Django refused before any page (the gate's refusals have their own
    page, web/refused.html, with the gate's reason)."""
    return _error_page(
        request,
        403,
        "Forbidden",
        "Not allowed",
        "This request is not allowed. If you think it should be, ask your administrator.",
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form posted from a page too old to carry a valid token (Django's
    technical reason is left out: it helps no one at the counter)."""
    return _error_page(
        request,
        403,
        "Forbidden",
        "This form has expired",
        "The page was open too long, or you signed in or out in another tab. Go "
        "back, reload the page and send the form again.",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: rendered without the request's context processors, which may need the very
    database that failed; so the page shows no menu and no signed-in name."""
    if _is_api(request):
        return JsonResponse({"detail": "Internal server error"}, status=500)
    context = {
        "title": "Something went wrong",
        "message": "The server could not complete this request. It has been logged; try "
        "again in a moment, and tell your administrator if it keeps happening.",
    }
    return HttpResponse(loader.get_template("web/error.html").render(context), status=500)

"""Missing pages, forbidden requests and server failures show the site's own page, not
Django's unstyled one, and never a stack trace; the API answers them in JSON."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import include, path

from platekeeper.server import urls as site_urls

pytestmark = pytest.mark.django_db


def _fail(request):
    raise RuntimeError("secret-internal-detail")


def _forbid(request):
    raise PermissionDenied


# This module is also a URLconf for the failure tests: the site's routes plus two that fail.
urlpatterns = [
    path("test-only/fail", _fail),
    path("test-only/forbid", _forbid),
    path("", include(site_urls)),
]
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def _text(response) -> str:
    return response.content.decode()


def test_an_unknown_address_shows_the_sites_not_found_page(investigator):
    response = investigator.get("/no-such-page")
    assert response.status_code == 404
    page = _text(response)
    assert "Page not found" in page
    assert 'class="topbar"' in page
    assert "platekeeper.css" in page
    assert 'aria-label="Main"' in page  # the menu, so a signed-in person can go on
    assert "Traceback" not in page
    assert "urlpatterns" not in page


def test_an_unknown_address_is_styled_before_signing_in_too():
    response = Client().get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in _text(response)
    assert "platekeeper.css" in _text(response)


def test_an_unknown_api_address_answers_json():
    response = Client().get("/api/v1/no-such-route")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_failure_shows_the_styled_page_without_the_error():
    response = Client(raise_request_exception=False).get("/test-only/fail")
    assert response.status_code == 500
    page = _text(response)
    assert "Something went wrong" in page
    assert "platekeeper.css" in page
    assert "secret-internal-detail" not in page
    assert "Traceback" not in page


@override_settings(ROOT_URLCONF=__name__)
def test_a_forbidden_request_shows_the_styled_page(investigator):
    response = investigator.get("/test-only/forbid")
    assert response.status_code == 403
    assert "Not allowed" in _text(response)
    assert 'class="topbar"' in _text(response)


def test_a_form_from_a_stale_page_shows_the_styled_page_saying_to_reload():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login", {"username": "ines", "password": "whatever-it-is"})
    assert response.status_code == 403
    page = _text(response)
    assert "This form has expired" in page
    assert "platekeeper.css" in page
    assert "CSRF" not in page

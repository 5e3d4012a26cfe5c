"""The API documents itself, from local files only (agency networks may have no internet)."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_document_lists_the_routes():
    paths = Client().get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/reads", "/api/v1/reads/search", "/api/v1/alerts"} <= set(paths)


@pytest.mark.django_db
def test_interactive_docs_load_swagger_from_this_server():
    page = Client().get("/api/v1/docs")

    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200

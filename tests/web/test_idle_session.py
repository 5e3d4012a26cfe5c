"""The live alert feed must not keep an unattended screen signed in."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from platekeeper.server.web.middleware import IdleSessionMiddleware


@pytest.mark.django_db
def test_a_passive_request_does_not_extend_the_session():
    from django.http import HttpResponse

    saved = []
    request = RequestFactory().get("/alerts/stream")
    middleware = IdleSessionMiddleware(lambda r: HttpResponse("ok"))
    middleware.process_request(request)
    request.session["x"] = 1
    request.session.save = lambda *a, **k: saved.append(True)

    request.passive_session = True
    middleware.process_response(request, HttpResponse("ok"))
    assert saved == []

    request.passive_session = False
    middleware.process_response(request, HttpResponse("ok"))
    assert saved == [True]

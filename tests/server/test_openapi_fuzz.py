"""Schemathesis over the API's own OpenAPI document: whatever it generates from the schema (and
against it), the answer is never a server error.

Kept short for `make test` (a few examples per operation, the same every run);
`make fuzz` runs many more, new each time (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.api import api
from platekeeper.server.cameras.actions import add_camera
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.wsgi import application
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

#: Routes a device calls with its token; every other route is a person's.
_DEVICE_ROUTES = ("/api/v1/reads", "/api/v1/ingest/", "/api/v1/agent/")


@pytest.fixture
def _keep_the_test_transaction():
    """As Django's test client does: requests sent straight to the WSGI application must not
    close the connection (on PostgreSQL it would go back to the pool, test transaction and all)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(_keep_the_test_transaction) -> dict[str, str]:
    """A camera with a few reads, and a trained investigator: both tokens."""
    camera = add_camera("Fuzz Ave", requester=SETUP_REQUESTER, latitude=37.82, longitude=-122.23)
    record_reads(camera.camera, [read_item() for _ in range(3)])
    make_user("ines")
    return {
        "device": camera.token,
        "person": create_personal_token("ines", requester=SETUP_REQUESTER)[1],
    }


# The document is built without the database; requests go straight to the WSGI application,
# in this thread, so they see the test's data.
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error(case, tokens):
    device = case.path == "/api/v1/reads" and case.method == "POST"
    device = device or case.path.startswith(_DEVICE_ROUTES[1:])
    token = tokens["device" if device else "person"]

    response = case.call(headers={"Authorization": f"Bearer {token}"})

    assert response.status_code < 500, (case.method, case.path, response.text[:500])

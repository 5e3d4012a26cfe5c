"""No input answers 500: the hand-made cases of issue 14, each a 4xx that names what is wrong.

Each case once answered 500 with a traceback (or was silently accepted). The body of every
answer must name the field or bound, and the server log must hold no traceback.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.cameras.models import CameraHealth
from platekeeper.server.reads.models import Read
from tests.support.factories import read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

DEEP = "[" * 1000 + "]" * 1000
JUSTIFIED = {"purpose": "crime_scene_canvass", "case_number": "24-0311"}
YEAR_ONE = "0001-01-01T00:00:00+05:00"
YEAR_9999 = "9999-12-31T23:59:59-05:00"
RECENT = "2026-11-01T10:00:00Z"
OUTSIDE_THE_WINDOW = "must be between 1970-01-01 and 2100-01-01"


@pytest.fixture
def investigator() -> Client:
    make_user("ines")
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def _heartbeat(device, **fields):
    body = {"agent_time": RECENT, **fields}
    return device.post("/api/v1/agent/heartbeat", body)


def _assert_refused(response, *, names: str, status: int | tuple[int, ...] = (400, 422)) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content[:300]
    assert names in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/reads", "/api/v1/ingest/openalpr"])
def test_json_nested_a_thousand_deep_is_refused_before_it_is_parsed(device, path, caplog):
    response = device.client.post(
        path,
        data=DEEP,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="nested deeper than", status=400)
    assert not [r for r in caplog.records if r.exc_info]


def test_json_nested_a_thousand_deep_on_a_multipart_webhook_is_refused(device):
    response = device.client.post(
        "/api/v1/ingest/platerecognizer",
        data={"json": DEEP},
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="nested deeper than", status=400)


def test_json_nested_deep_on_a_schema_route_is_refused(device):
    response = device.client.post(
        "/api/v1/agent/heartbeat",
        data=DEEP,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="nested deeper than", status=400)


@pytest.mark.parametrize("moment", [YEAR_ONE, YEAR_9999])
def test_captured_at_at_the_ends_of_the_calendar_rejects_only_its_item(device, moment):
    bad, good = read_item(captured_at=moment), read_item()

    body = device.post_reads([bad, good]).json()

    assert body["stored"] == 1
    assert body["rejected"][0]["index"] == 0
    assert "captured_at" in body["rejected"][0]["reason"]
    assert Read.objects.count() == 1


def test_a_bare_epoch_number_is_not_a_capture_time(device):
    body = device.post_reads([read_item(captured_at=1_764_000_000)]).json()

    assert body["stored"] == 0
    assert "captured_at: must be an ISO 8601 time" in body["rejected"][0]["reason"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("queue_depth", 2**63),  # past SQLite's 64 bits
        ("queue_depth", 2**31),  # past PostgreSQL's integer
        ("images_evicted", 2**31),
        ("rejected", 2**40),
        ("queue_bytes", 2**63),
    ],
)
def test_heartbeat_integers_beyond_their_column_are_refused(device, field, value):
    _assert_refused(_heartbeat(device, **{field: value}), names=field, status=422)
    assert not CameraHealth.objects.exists()


@pytest.mark.parametrize("moment", [YEAR_ONE, YEAR_9999])
@pytest.mark.parametrize("field", ["agent_time", "oldest_queued_at"])
def test_heartbeat_clock_values_at_the_ends_of_the_calendar_are_refused(device, field, moment):
    _assert_refused(_heartbeat(device, **{field: moment}), names=field, status=422)


def test_infinity_is_not_a_read_rate(device):
    response = device.client.post(
        "/api/v1/agent/heartbeat",
        data='{"agent_time": "2026-11-01T10:00:00Z", "reads_per_minute": Infinity}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="Infinity", status=400)
    assert not CameraHealth.objects.exists()


@pytest.mark.parametrize(("name", "moment"), [("start", YEAR_ONE), ("end", YEAR_9999)])
def test_search_windows_at_the_ends_of_the_calendar_are_refused(investigator, name, moment):
    window = {"start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z", name: moment}
    query = urlencode({"plate": "7ABC123", **JUSTIFIED, **window})

    response = investigator.get(f"/api/v1/reads/search?{query}")

    _assert_refused(response, names=f"{name}: {OUTSIDE_THE_WINDOW}", status=400)


@pytest.mark.parametrize(("name", "moment"), [("start", YEAR_ONE), ("end", YEAR_9999)])
def test_canvass_windows_at_the_ends_of_the_calendar_are_refused(investigator, name, moment):
    window = {"start": "2026-11-01T00:00:00Z", "end": "2026-11-02T00:00:00Z", name: moment}
    area = {"lat": 37.82, "lon": -122.23, "radius_m": 300}
    query = urlencode({**area, **JUSTIFIED, **window})

    response = investigator.get(f"/api/v1/reads/canvass?{query}")

    _assert_refused(response, names=f"{name}: {OUTSIDE_THE_WINDOW}", status=400)


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/api/v1/reads", "multipart/form-data", b"--xyz\r\nbroken"),
        ("/api/v1/reads", "application/json", b"{not json"),
        ("/api/v1/agent/heartbeat", "application/json", b"{not json"),
    ],
)
def test_a_body_that_cannot_be_parsed_is_logged_as_one_line_without_a_traceback(
    device, caplog, path, content_type, body
):
    caplog.set_level(logging.INFO)

    response = device.client.generic(
        "POST",
        path,
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.status_code == 400
    assert not [r for r in caplog.records if r.exc_info]
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines
    assert all("\n" not in line for line in lines)


def test_nan_and_infinity_tokens_are_refused_on_the_ingest_route(device):
    item = json.dumps({"reads": [read_item()]}).replace('"confidence": 0.93', '"confidence": NaN')

    response = device.client.post(
        "/api/v1/reads",
        data=item,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="NaN", status=400)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"plate": "7ABC123", **JUSTIFIED, "case_number": "24\x00"}, "case_number"),
        ({"plate": "7ABC123", **JUSTIFIED, "purpose": "x" * 41}, "purpose"),
    ],
)
def test_values_postgresql_cannot_store_are_refused_naming_the_field(investigator, query, names):
    """A NUL character or a purpose longer than the audit record's column once answered 500
    on PostgreSQL (found by schemathesis)."""
    response = investigator.get(f"/api/v1/reads/search?{urlencode(query)}")

    _assert_refused(response, names=names)


def test_a_nul_character_in_a_body_is_refused(device):
    body = json.dumps({"reads": [read_item(vehicle_make="Ford\x00")]})

    response = device.client.post(
        "/api/v1/reads",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    _assert_refused(response, names="NUL character", status=400)

"""Property-based tests of the ingest and search schemas: any value in any field is stored as
a sane read or refused naming the field, never a server error.

Values range over everything JSON and query strings can carry: times from year 1 to 9999 with
any offset, bare numbers, integers past 64 bits, NaN and infinities, odd text.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import uuid
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.common.types import LATEST_MOMENT
from platekeeper.server.reads.models import Read
from platekeeper.server.reads.schemas import EARLIEST_CAPTURE
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

FIXTURES_PER_TEST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
any_time_text = st.one_of(
    st.datetimes(timezones=offsets).map(dt.datetime.isoformat),
    st.datetimes().map(dt.datetime.isoformat),  # no time zone
    st.text(max_size=30),
)
numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
anything = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=30), any_time_text)

read_items = st.fixed_dictionaries(
    {
        "id": st.one_of(st.uuids().map(str), anything),
        "plate": st.one_of(st.sampled_from(["7ABC123", "8XYZ456"]), st.text(max_size=20)),
        "captured_at": st.one_of(any_time_text, numbers),
    },
    optional={
        "latitude": anything,
        "longitude": anything,
        "confidence": anything,
        "heading": anything,
        "speed_kmh": anything,
        "state": anything,
        "plate_box": st.one_of(
            anything, st.fixed_dictionaries(dict.fromkeys(("x", "y", "width", "height"), numbers))
        ),
        "candidates": st.lists(
            st.fixed_dictionaries({"plate": st.text(max_size=20), "confidence": numbers}),
            max_size=3,
        ),
        "vehicle_make": anything,
    },
)


@FIXTURES_PER_TEST
@given(item=read_items)
def test_any_read_item_is_stored_sane_or_rejected_by_index(device, item):
    body = json.dumps({"reads": [item]}, allow_nan=True)

    response = device.client.post(
        "/api/v1/reads",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {device.token}"},
    )

    assert response.status_code in {200, 400}, response.content[:300]
    if response.status_code == 400:  # NaN or Infinity in the body
        assert "NaN" in body or "Infinity" in body
        return
    answer = response.json()
    assert answer["stored"] + answer["duplicates"] + len(answer["rejected"]) == 1
    if answer["rejected"]:
        assert answer["rejected"][0]["reason"].split(":")[0].split(".")[0] in item
    if answer["stored"]:
        read = Read.objects.get(id=uuid.UUID(str(item["id"])))
        assert EARLIEST_CAPTURE <= read.captured_at <= LATEST_MOMENT
        assert math.isfinite(read.latitude)
        assert -90 <= read.latitude <= 90
        assert math.isfinite(read.longitude)
        assert -180 <= read.longitude <= 180


@pytest.fixture
def investigator() -> Client:
    make_user("ines")
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


query_values = st.one_of(
    any_time_text,
    numbers.map(str),
    st.sampled_from(["nan", "inf", "-inf", "1e400", "", "7AB?12", "*X9*"]),
    st.text(max_size=30),
)
search_params = st.fixed_dictionaries(
    {"plate": query_values},
    optional={"start": query_values, "end": query_values, "limit": query_values,
              "cursor": query_values, "lookalike": query_values},
)  # fmt: skip
canvass_params = st.fixed_dictionaries(
    {"start": query_values, "end": query_values},
    optional={"lat": query_values, "lon": query_values, "radius_m": query_values,
              "polygon": query_values, "limit": query_values},
)  # fmt: skip


@FIXTURES_PER_TEST
@given(params=search_params)
def test_any_search_is_answered_or_refused_naming_a_field(investigator, params):
    _assert_answered("/api/v1/reads/search", params, investigator)


@FIXTURES_PER_TEST
@given(params=canvass_params)
def test_any_canvass_is_answered_or_refused_naming_a_field(investigator, params):
    _assert_answered("/api/v1/reads/canvass", params, investigator)


def _assert_answered(path: str, params: dict[str, str], client: Client) -> None:
    justified = {"purpose": "crime_scene_canvass", "case_number": "24-0311", **params}

    response = client.get(f"{path}?{urlencode(justified)}")

    assert response.status_code in {200, 400, 422}, response.content[:300]
    if response.status_code != 200:
        assert response.json()["detail"].split(":")[0] in {*justified, "request", "lat"}

"""Every API route that discloses ALPR data obeys the gate and writes exactly one audit event.

A new data endpoint joins these checks by adding one line to DATA_ENDPOINTS.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

JUSTIFIED = "purpose=stolen_vehicle&case_number=24-001"


def _around(item: dict, *keys: str) -> str:
    """Query parameters for a 200 m, two-hour canvass (or `keys` of it) around a read item."""
    moment = dt.datetime.fromisoformat(str(item["captured_at"]))
    params = {
        "lat": item["latitude"],
        "lon": item["longitude"],
        "radius_m": 200,
        "start": (moment - dt.timedelta(hours=1)).isoformat(),
        "end": (moment + dt.timedelta(hours=1)).isoformat(),
    }
    if keys:
        return ",".join(str(params[k]) for k in keys)
    return urlencode(params)


def _scenes(item: dict) -> str:
    scene = _around(item, "lat", "lon", "radius_m", "start", "end")
    return urlencode({"scene": [scene, scene]}, doseq=True)


def _convoy(item: dict) -> str:
    start, end = _around(item, "start", "end").split(",")
    return urlencode({"plate": item["plate"], "start": start, "end": end})


#: (name, path builder given a stored read item and its crop digest)
DATA_ENDPOINTS: list[tuple[str, Callable[[dict, str], str]]] = [
    ("search", lambda item, sha: f"/api/v1/reads/search?plate={item['plate']}&{JUSTIFIED}"),
    ("detail", lambda item, sha: f"/api/v1/reads/{item['id']}?{JUSTIFIED}"),
    ("image", lambda item, sha: f"/api/v1/images/{sha}?{JUSTIFIED}"),
    ("canvass", lambda item, sha: f"/api/v1/reads/canvass?{_around(item)}&{JUSTIFIED}"),
    ("canvass_plates", lambda i, sha: f"/api/v1/reads/canvass/plates?{_around(i)}&{JUSTIFIED}"),
    ("canvass_csv", lambda i, sha: f"/api/v1/reads/canvass/export?{_around(i)}&{JUSTIFIED}"),
    ("scenes", lambda item, sha: f"/api/v1/reads/scenes?{_scenes(item)}&{JUSTIFIED}"),
    (
        "scenes_geojson",
        lambda i, sha: f"/api/v1/reads/scenes/export?format=geojson&{_scenes(i)}&{JUSTIFIED}",
    ),
    ("convoy", lambda item, sha: f"/api/v1/reads/convoy?{_convoy(item)}&{JUSTIFIED}"),
    ("convoy_csv", lambda i, sha: f"/api/v1/reads/convoy/export?{_convoy(i)}&{JUSTIFIED}"),
    ("sightings", lambda item, sha: f"/api/v1/reads/{item['id']}/sightings?{JUSTIFIED}"),
]


@pytest.fixture
def stored():
    import hashlib

    crop = image_bytes()
    item = read_item(plate="6TRL204", plate_crop=base64.b64encode(crop).decode())
    record_reads(CameraFactory(), [item])
    return item, hashlib.sha256(crop).hexdigest()


def _get(path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, headers=headers)


def _token(training: str) -> str:
    make_user("ines", training=training)
    return create_personal_token("ines", requester=SETUP_REQUESTER)[1]


def _access_events():
    return AuditEvent.objects.filter(action__regex=r"^(reads|images)\.")


@pytest.mark.parametrize(("name", "path"), DATA_ENDPOINTS)
def test_a_trained_user_with_a_purpose_gets_data_and_one_audit_event(stored, name, path):
    response = _get(path(*stored), _token("current"))

    assert response.status_code == 200, response.content
    event = _access_events().get()
    assert (event.username, event.outcome, event.channel) == ("ines", "allowed", "api")
    assert (event.purpose, event.case_number) == ("stolen_vehicle", "24-001")
    assert event.record_count == 1


@pytest.mark.parametrize(("name", "path"), DATA_ENDPOINTS)
def test_an_untrained_user_is_refused_with_the_reason_and_audited(stored, name, path):
    response = _get(path(*stored), _token("lapsed"))

    assert response.status_code == 403
    assert "ALPR training lapsed" in response.json()["detail"]
    assert _access_events().get().outcome == "denied"


@pytest.mark.parametrize(("name", "path"), DATA_ENDPOINTS)
def test_a_missing_purpose_is_a_4xx_that_says_so(stored, name, path):
    response = _get(path(*stored).replace(JUSTIFIED, "x=1"), _token("current"))

    assert response.status_code == 400
    assert "purpose: is required" in response.json()["detail"]
    assert _access_events().get().outcome == "denied"


@pytest.mark.parametrize(("name", "path"), DATA_ENDPOINTS)
def test_no_credentials_no_data(stored, name, path):
    assert _get(path(*stored), None).status_code == 401
    assert not _access_events().exists()


def test_search_answers_in_the_documented_shape(stored):
    body = _get(DATA_ENDPOINTS[0][1](*stored), _token("current")).json()

    assert set(body) == {"results", "next"}
    assert {"id", "plate", "captured_at", "latitude", "longitude", "camera"} <= set(
        body["results"][0]
    )


def test_read_detail_answers_with_the_summary_and_the_rest_flat(stored):
    body = _get(DATA_ENDPOINTS[1][1](*stored), _token("current")).json()

    assert body["plate"] == "6TRL204"
    assert body["plate_crop_sha256"] == stored[1]
    assert {"candidates", "heading", "vehicle_make", "received_at", "source"} <= set(body)
    assert "summary" not in body


@pytest.mark.parametrize(("name", "path"), DATA_ENDPOINTS)
@pytest.mark.parametrize(
    ("condition", "message"),
    [("disabled", "this account is disabled"), ("locked", "this account is locked")],
)
def test_a_disabled_or_locked_account_is_refused_even_with_a_valid_token(
    stored, name, path, condition, message
):
    import datetime as dt

    from django.utils import timezone

    from platekeeper.server.access.models import User

    token = _token("current")
    if condition == "disabled":
        User.objects.filter(username="ines").update(is_active=False)
    else:
        User.objects.filter(username="ines").update(
            locked_until=timezone.now() + dt.timedelta(minutes=30)
        )

    response = _get(path(*stored), token)

    assert response.status_code == 403
    assert message in response.json()["detail"]
    assert _access_events().get().outcome == "denied"

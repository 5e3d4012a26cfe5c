"""The investigation routes of the API: the documented shapes, files, and readable refusals.

Refusals (training, purpose, account) and the one-audit-event rule are checked for every route
in tests/server/access/test_data_endpoints.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

LAT, LON = 37.8251, -122.2324
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
JUSTIFIED = {"purpose": "crime_scene_canvass", "case_number": "24-0311"}
WINDOW = {
    "start": (NOW - dt.timedelta(hours=2)).isoformat(),
    # Ahead of NOW: a long suite may run these tests long after NOW was taken.
    "end": (NOW + dt.timedelta(hours=6)).isoformat(),
}


@pytest.fixture
def api() -> Client:
    make_user("ines")
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def scene_reads() -> None:
    """Two reads of 1NEAR11 and one of 2NEAR22 near the scene; 3FAR333 two km away."""
    near = {"latitude": LAT + 0.0005, "longitude": LON}
    record_reads(
        CameraFactory(name="Grand Ave"),
        [
            read_item(plate="1NEAR11", **near),
            read_item(plate="1NEAR11", captured_at=(NOW - dt.timedelta(minutes=50)).isoformat(),
                      **near),
            read_item(plate="2NEAR22", **near),
            read_item(plate="3FAR333", latitude=LAT + 0.018, longitude=LON),
        ],
    )  # fmt: skip


def get(client: Client, path: str, **params):
    return client.get(f"{path}?{urlencode({**JUSTIFIED, **params}, doseq=True)}")


def test_canvass_answers_in_the_documented_shape(api, scene_reads):
    body = get(api, "/api/v1/reads/canvass", lat=LAT, lon=LON, radius_m=500, **WINDOW).json()

    assert set(body) == {"results", "next"}
    assert {"id", "plate", "captured_at", "latitude", "longitude", "camera"} <= set(
        body["results"][0]
    )
    assert sorted(r["plate"] for r in body["results"]) == ["1NEAR11", "1NEAR11", "2NEAR22"]
    assert body["next"] is None


def test_canvass_grouped_by_plate(api, scene_reads):
    body = get(api, "/api/v1/reads/canvass/plates", lat=LAT, lon=LON, radius_m=500, **WINDOW)

    results = body.json()["results"]
    assert [(r["plate"], r["reads"], r["cameras"]) for r in results] == [
        ("1NEAR11", 2, 1),
        ("2NEAR22", 1, 1),
    ]
    assert results[0]["first_seen"] < results[0]["last_seen"]
    assert body.json()["total_reads"] == 3


def test_a_polygon_canvass(api, scene_reads):
    square = f"{LAT - 0.001},{LON - 0.001};{LAT + 0.001},{LON - 0.001};{LAT + 0.001},{LON + 0.001}"
    square += f";{LAT - 0.001},{LON + 0.001}"

    body = get(api, "/api/v1/reads/canvass", polygon=square, **WINDOW).json()

    assert {r["plate"] for r in body["results"]} == {"1NEAR11", "2NEAR22"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": LAT, "lon": LON, **WINDOW}, "needs lat, lon and radius_m"),
        ({"lat": LAT, "lon": LON, "radius_m": 9000, **WINDOW}, "radius_m: must be between"),
        ({"lat": LAT, "lon": LON, "radius_m": 100, "polygon": "1,2;3,4;5,6", **WINDOW}, "not both"),
        ({"lat": 95, "lon": LON, "radius_m": 100, **WINDOW}, "not a place on Earth"),
        (
            {"lat": LAT, "lon": LON, "radius_m": 100, "start": "2026-01-01T00:00:00",
             "end": "2026-01-02T00:00:00"},
            "needs a time zone",
        ),
    ],
)  # fmt: skip
def test_a_bad_canvass_is_a_400_that_says_why(api, params, message):
    response = get(api, "/api/v1/reads/canvass", **params)

    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not AuditEvent.objects.filter(action__startswith="reads.").exists()


def test_a_canvass_without_a_window_is_a_422_naming_the_fields(api):
    response = get(api, "/api/v1/reads/canvass", lat=LAT, lon=LON, radius_m=100)

    assert response.status_code == 422
    assert "start" in response.json()["detail"]


def test_exports_download_as_files(api, scene_reads):
    area = {"lat": LAT, "lon": LON, "radius_m": 500, **WINDOW}

    as_csv = get(api, "/api/v1/reads/canvass/export", **area)
    as_geojson = get(api, "/api/v1/reads/canvass/export", format="geojson", **area)

    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv["Content-Disposition"].startswith('attachment; filename="platekeeper-canvass-')
    assert len(list(csv.DictReader(io.StringIO(as_csv.content.decode())))) == 3
    assert as_geojson["Content-Type"] == "application/geo+json"
    assert len(json.loads(as_geojson.content)["features"]) == 3
    assert get(api, "/api/v1/reads/canvass/export", format="xlsx", **area).status_code == 422


def test_scenes_and_convoy_through_the_api(api, scene_reads):
    scene = f"{LAT},{LON},300,{WINDOW['start']},{WINDOW['end']}"
    later = f"{LAT},{LON},300,{(NOW - dt.timedelta(minutes=30)).isoformat()},{WINDOW['end']}"

    scenes = get(api, "/api/v1/reads/scenes", scene=[scene, later], min_scenes=2).json()
    convoy = get(api, "/api/v1/reads/convoy", plate="1NEAR11", min_cameras=1, **WINDOW).json()

    assert [r["plate"] for r in scenes["results"]] == ["1NEAR11", "2NEAR22"]
    assert scenes["results"][0]["scenes"] == [1, 2]
    assert convoy["plate"] == "1NEAR11"
    assert len(convoy["target_reads"]) == 2
    assert [c["plate"] for c in convoy["results"]] == ["2NEAR22", "3FAR333"]  # same camera
    bad = get(api, "/api/v1/reads/scenes", scene=["37.8,-122.2,300"])
    assert bad.status_code == 400
    assert "lat,lon,radius_m,start,end" in bad.json()["detail"]


def test_the_openapi_document_lists_the_investigation_routes():
    paths = set(Client().get("/api/v1/openapi.json").json()["paths"])

    assert {
        "/api/v1/reads/canvass",
        "/api/v1/reads/canvass/plates",
        "/api/v1/reads/canvass/export",
        "/api/v1/reads/scenes",
        "/api/v1/reads/scenes/export",
        "/api/v1/reads/convoy",
        "/api/v1/reads/convoy/export",
        "/api/v1/reads/{read_id}/sightings",
    } <= paths


def test_the_canvass_export_honours_the_vehicle_filters_and_audits_them(api):
    """GIVEN a red sedan and a blue truck at the scene WHEN the canvass is exported with a
    vehicle description THEN the file holds only the reads the canvass lists for it."""
    near = {"latitude": LAT + 0.0005, "longitude": LON}
    vehicle = {"vehicle_make": "Toyota", "vehicle_color": "red", "vehicle_type": "sedan"}
    record_reads(
        CameraFactory(name="Grand Ave"),
        [
            read_item(plate="4RED444", **near, **vehicle),
            read_item(plate="5BLU555", **near, vehicle_color="blue", vehicle_type="truck"),
        ],
    )
    area = {"lat": LAT, "lon": LON, "radius_m": 500, **WINDOW}

    listed = get(api, "/api/v1/reads/canvass", color="RED", type="sedan", **area).json()
    exported = get(api, "/api/v1/reads/canvass/export", color="RED", type="sedan", **area)
    everything = get(api, "/api/v1/reads/canvass/export", **area)

    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["plate"] for r in rows] == [r["plate"] for r in listed["results"]] == ["4RED444"]
    assert len(list(csv.DictReader(io.StringIO(everything.content.decode())))) == 2
    event = AuditEvent.objects.filter(action="reads.export").order_by("id").first()
    assert (event.query["color"], event.query["type"]) == ("RED", "sedan")
    too_long = get(api, "/api/v1/reads/canvass/export", make="x" * 200, **area)
    assert too_long.status_code in {400, 422}
    assert "make" in json.dumps(too_long.json())

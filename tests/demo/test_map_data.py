"""The map data the server serves itself: the street layer and the camera places."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from platekeeper.demo.town import BOUNDS, is_in_piedmont_area
from platekeeper.server.access.roles import Role
from platekeeper.server.cameras.models import CameraKind
from platekeeper.server.demo_seed import demo_camera_names
from tests.support.factories import CameraFactory
from tests.support.people import make_user

pytestmark = pytest.mark.django_db

STREETS = "/map/streets.geojson"
CAMERAS = "/map/cameras.json"


@pytest.fixture
def officer() -> Client:
    client = Client()
    client.force_login(make_user("olga", Role.OPERATOR))
    return client


@pytest.fixture(autouse=True)
def _no_map_file(monkeypatch):
    monkeypatch.delenv("PLATEKEEPER_MAP_FILE", raising=False)


def test_map_data_needs_a_login():
    for path in (STREETS, CAMERAS):
        response = Client().get(path)
        assert response.status_code == 302
        assert response.url.startswith("/login")


def test_the_demo_town_serves_its_own_streets(officer):
    """GIVEN the demo town's cameras WHEN a map asks for streets THEN it gets the town's
    streets as named GeoJSON lines inside the town, and a second ask costs nothing."""
    CameraFactory(name=demo_camera_names()[0])

    response = officer.get(STREETS)
    layer = json.loads(response.content)
    again = officer.get(STREETS, headers={"If-None-Match": response["ETag"]})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert layer["type"] == "FeatureCollection"
    names = {feature["properties"]["name"] for feature in layer["features"]}
    assert {"Grand Ave", "Highland Ave", "Mountain Ave"} <= names
    for feature in layer["features"]:
        assert feature["geometry"]["type"] == "LineString"
        for longitude, latitude in feature["geometry"]["coordinates"]:
            assert is_in_piedmont_area(latitude, longitude), (feature, BOUNDS)
    assert again.status_code == 304


def test_a_department_serves_its_own_map_file(officer, tmp_path, monkeypatch):
    county = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Main St"},
                "geometry": {"type": "LineString", "coordinates": [[-120.1, 38.1], [-120.2, 38.2]]},
            }
        ],
    }
    map_file = tmp_path / "county.geojson"
    map_file.write_text(json.dumps(county))
    monkeypatch.setenv("PLATEKEEPER_MAP_FILE", str(map_file))

    response = officer.get(STREETS)

    assert response.status_code == 200
    assert json.loads(response.content) == county


@pytest.mark.parametrize(
    ("content", "says"), [("not json", "is not JSON"), ('{"type": "Point"}', "not a GeoJSON")]
)
def test_an_unusable_map_file_is_named(officer, tmp_path, monkeypatch, content, says):
    map_file = tmp_path / "broken.geojson"
    map_file.write_text(content)
    monkeypatch.setenv("PLATEKEEPER_MAP_FILE", str(map_file))

    response = officer.get(STREETS)

    assert response.status_code == 503
    assert "PLATEKEEPER_MAP_FILE" in response.json()["detail"]
    assert says in response.json()["detail"]


def test_without_a_map_file_or_the_demo_there_is_no_street_layer(officer):
    response = officer.get(STREETS)

    assert response.status_code == 404
    assert "PLATEKEEPER_MAP_FILE" in response.json()["detail"]


def test_cameras_are_listed_with_their_place_and_whether_they_are_online(officer):
    CameraFactory(name="Grand Ave inbound", last_seen_at=timezone.now())
    CameraFactory(name="Old Post", last_seen_at=timezone.now() - dt.timedelta(days=2))
    CameraFactory(name="Patrol 1", kind=CameraKind.MOBILE, latitude=None, longitude=None)
    CameraFactory(name="Removed", active=False)

    cameras = officer.get(CAMERAS).json()["cameras"]

    assert cameras == [
        {"label": "Grand Ave inbound", "lat": 37.8244, "lon": -122.2317, "online": True},
        {"label": "Old Post", "lat": 37.8244, "lon": -122.2317, "online": False},
    ]

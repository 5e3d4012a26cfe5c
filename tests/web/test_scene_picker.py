"""The canvass and multiple-scenes pickers: a typed address of the town places the centre,
from the street layer the server serves itself; an unknown one is refused naming the field.
And the camera map on the dashboard draws PLATEKEEPER_MAP_TILES when a department sets them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from platekeeper.demo.town import STREETS, streets_geojson
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.web.conftest import signed_in, with_purpose

CORNER = STREETS["Grand Ave"].points[-1]  # where Highland Ave begins
NOW = timezone.localtime().replace(second=0, microsecond=0)
WINDOW = {
    "start": (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    "end": (NOW + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
}


@pytest.fixture(autouse=True)
def demo_streets(monkeypatch, tmp_path):
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps(streets_geojson()))
    monkeypatch.setenv("PLATEKEEPER_MAP_FILE", str(path))


@pytest.fixture
def ines(db):
    return with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-0311")


def test_a_typed_crossing_places_the_canvass_and_finds_the_reads_there(ines):
    latitude, longitude = CORNER
    near = read_item(plate="5CORNER", latitude=latitude + 0.0005, longitude=longitude)
    far = read_item(plate="6FARAWY", latitude=latitude + 0.02, longitude=longitude)
    record_reads(CameraFactory(name="Grand Ave at Highland"), [near, far])

    page = ines.get(
        "/investigations/canvass",
        {"shape": "circle", "address": "Grand Ave & Highland Ave", "radius_m": 300, **WINDOW},
    )

    html = page.content.decode()
    assert page.status_code == 200, html
    assert "5CORNER" in html
    assert "6FARAWY" not in html
    assert f'value="{round(latitude, 6)}"' in html  # the place found, shown in the form
    event = AuditEvent.objects.get(action="reads.canvass")
    assert event.query["circle"] == [pytest.approx(latitude), pytest.approx(longitude), 300]


def test_typed_coordinates_win_over_an_address(ines):
    page = ines.get(
        "/investigations/canvass",
        {"address": "Grand Ave & Highland Ave", "lat": 37.81, "lon": -122.25, "radius_m": 300}
        | WINDOW,
    )

    assert page.status_code == 200
    assert AuditEvent.objects.get(action="reads.canvass").query["circle"][0] == 37.81


def test_an_unknown_address_is_refused_naming_the_field(ines):
    page = ines.get("/investigations/canvass", {"address": "Main St & Elm St", **WINDOW})

    assert page.status_code == 400
    assert "Address: no street named &#x27;Main St&#x27; on this map" in page.content.decode()
    assert not AuditEvent.objects.filter(action="reads.canvass").exists()


def test_multiple_scenes_take_typed_addresses_beside_coordinates(ines):
    """GIVEN a plate seen at the corner of Grand and Highland and at a second scene given by
    coordinates WHEN the first scene is typed as the crossing THEN the plate is found at both,
    and the place found is shown in the form."""
    latitude, longitude = CORNER
    second = (latitude + 0.01, longitude)
    record_reads(
        CameraFactory(),
        [
            read_item(plate="7TWICE7", latitude=latitude + 0.0003, longitude=longitude),
            read_item(plate="7TWICE7", latitude=second[0], longitude=second[1]),
        ],
    )
    scenes = {"address1": "Grand Ave & Highland Ave", "radius1": 200, "lat2": second[0]}
    scenes |= {"lon2": second[1], "radius2": 200, "min_scenes": 2}
    for n in (1, 2):
        scenes |= {f"start{n}": WINDOW["start"], f"end{n}": WINDOW["end"]}

    page = ines.get("/investigations/scenes", scenes)

    html = page.content.decode()
    assert page.status_code == 200, html
    assert "7TWICE7" in html
    assert f'value="{round(latitude, 6)}"' in html


def test_a_scene_with_no_place_is_refused_naming_it(ines):
    scenes = {"address1": "Grand Ave & Highland Ave", "start1": WINDOW["start"]}
    scenes |= {"end1": WINDOW["end"], "start2": WINDOW["start"], "end2": WINDOW["end"]}

    page = ines.get("/investigations/scenes", scenes)

    assert page.status_code == 400
    assert "Latitude (lat2): place the scene" in page.content.decode()
    assert not AuditEvent.objects.filter(action="reads.scenes").exists()


def test_the_dashboard_camera_map_draws_configured_tiles(db, settings):
    settings.PLATEKEEPER_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    admin = signed_in("ada", Role.ADMINISTRATOR)

    page = admin.get("/")

    assert 'data-tiles="https://tiles.example.org/{z}/{x}/{y}.png"' in page.content.decode()
    assert "https://tiles.example.org" in page["Content-Security-Policy"]


def test_without_tiles_the_dashboard_asks_no_tile_server(db):
    page = signed_in("ada", Role.ADMINISTRATOR).get("/")

    assert 'data-tiles=""' in page.content.decode()
    assert "img-src 'self' data:;" in page["Content-Security-Policy"]

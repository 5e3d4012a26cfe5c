"""Typed places found on the server's own street layer: streets, crossings, clear refusals."""

from __future__ import annotations

import json

import pytest

from platekeeper.demo.town import STREETS, streets_geojson
from platekeeper.geo import distance_m
from platekeeper.server.maps.geocoding import AddressError, geocode


@pytest.fixture(autouse=True)
def demo_streets(monkeypatch, tmp_path):
    """The demo town's streets as a department's map file (no database needed)."""
    path = tmp_path / "streets.geojson"
    path.write_text(json.dumps(streets_geojson()))
    monkeypatch.setenv("PLATEKEEPER_MAP_FILE", str(path))


def _metres(place, point) -> float:
    return distance_m(place.latitude, place.longitude, *point)


@pytest.mark.parametrize(
    "typed",
    [
        "Grand Ave & Highland Ave",
        "grand avenue and highland",
        "Grand Ave at Highland Ave, Piedmont, CA 94611",
        "Highland / Grand",
    ],
)
def test_a_crossing_is_where_the_two_streets_meet(typed):
    """GIVEN Grand Ave ending where Highland Ave begins WHEN the crossing is typed in any of the
    usual ways THEN the place is that corner."""
    corner = STREETS["Grand Ave"].points[-1]
    assert corner == STREETS["Highland Ave"].points[0]

    place = geocode(typed)

    assert _metres(place, corner) < 1
    assert set(place.label.split(" & ")) == {"Grand Ave", "Highland Ave"}


def test_streets_that_cross_between_their_points_meet_where_the_lines_cross():
    place = geocode("Vista Ave & Linda Ave")

    assert _metres(place, STREETS["Linda Ave"].points[1]) < 5


def test_a_street_alone_is_its_middle():
    place = geocode("Highland Ave")

    points = STREETS["Highland Ave"].points
    assert place.label == "Highland Ave"
    assert _metres(place, points[2]) < 150
    assert _metres(place, points[0]) > 300


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Main St", "no street named 'Main St' on this map"),
        ("Grand Ave & Estates Dr", "Grand Ave and Estates Dr do not cross on this map"),
        ("123 Grand Ave", "this map has no house numbers"),
        ("", "type a street or a crossing"),
        ("Grand & Oakland & Linda", "type one street, or two that cross"),
    ],
)
def test_an_unknown_place_is_refused_with_what_to_type(typed, message):
    with pytest.raises(AddressError, match=message):
        geocode(typed)


def test_without_a_street_layer_the_address_is_refused(monkeypatch, db):
    monkeypatch.delenv("PLATEKEEPER_MAP_FILE")

    with pytest.raises(AddressError, match="no street layer"):
        geocode("Grand Ave")

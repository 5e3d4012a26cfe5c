"""Canvass areas at the edges of the map: the poles, the 180th meridian, and areas too big to
search, each refused with its bound before any work is done."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.access.roles import Role
from platekeeper.server.investigations import queries
from platekeeper.server.investigations.areas import Circle, Polygon, parse_polygon
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import QueryError
from tests.support.approvals import hold_nothing
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
#: Suva, Fiji: 178.44 E; Taveuni, across the 180th meridian, reaches 179.9 W.
FIJI_LAT = -16.80


def _canvass(area) -> list[str]:
    ines = Requester(make_user("ines", Role.INVESTIGATOR), channel="api")
    window = queries.Window(area, NOW - dt.timedelta(hours=1), NOW)
    return sorted(r.plate for r in queries.canvass(ines, CASE, window).results)


def _reads_either_side_of_the_180th_meridian() -> None:
    moment = (NOW - dt.timedelta(minutes=10)).isoformat()
    record_reads(
        CameraFactory(latitude=FIJI_LAT, longitude=179.9995),
        [
            read_item(plate="1WEST11", captured_at=moment, latitude=FIJI_LAT, longitude=179.998),
            read_item(plate="2EAST22", captured_at=moment, latitude=FIJI_LAT, longitude=-179.998),
            read_item(plate="3FAR333", captured_at=moment, latitude=FIJI_LAT, longitude=-179.9),
        ],
    )


def test_a_circle_on_the_180th_meridian_finds_reads_on_both_sides():
    _reads_either_side_of_the_180th_meridian()

    assert _canvass(Circle(FIJI_LAT, 179.9995, 500)) == ["1WEST11", "2EAST22"]


def test_a_polygon_across_the_180th_meridian_finds_reads_on_both_sides():
    _reads_either_side_of_the_180th_meridian()
    hold_nothing()  # the polygon is 2 km across: beyond the default canvass threshold
    box = parse_polygon(
        f"{FIJI_LAT - 0.01},179.99;{FIJI_LAT + 0.01},179.99;"
        f"{FIJI_LAT + 0.01},-179.99;{FIJI_LAT - 0.01},-179.99"
    )

    assert _canvass(box) == ["1WEST11", "2EAST22"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # Once 89,932,040 cells and 4 minutes of CPU; now refused before anything runs.
        (lambda: Circle(90, 0, 5000), "touches 216,000 grid cells; at most 400"),
        (lambda: Circle(-89.99, 45, 100), "at most 400"),
        (lambda: Circle(80, 10, 5000), "at latitude 80 touches 520 grid cells"),
        # Once a list of 636 million cells built just to count them.
        (lambda: Polygon(((-80, -170), (80, -170), (80, 170))), "too large for a canvass"),
        (lambda: parse_polygon(";".join(["37.8,-122.2"] * 5000)), "between 3 and 100 points"),
    ],
)
def test_an_area_too_big_to_search_is_refused_naming_the_bound(build, message):
    with pytest.raises(QueryError, match=message):
        build()


def test_a_canvass_at_the_pole_answers_400_naming_the_bound():
    make_user("ines")
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    query = {
        "lat": 90,
        "lon": 0,
        "radius_m": 5000,
        "start": (NOW - dt.timedelta(hours=1)).isoformat(),
        "end": NOW.isoformat(),
        "purpose": "crime_scene_canvass",
        "case_number": "24-0311",
    }

    response = Client(headers={"Authorization": f"Bearer {token}"}).get(
        f"/api/v1/reads/canvass?{urlencode(query)}"
    )

    assert response.status_code == 400
    assert "at most 400" in response.json()["detail"]

"""The canvass export on the web follows the vehicle description the canvass was narrowed by."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.web.conftest import signed_in, with_purpose

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

LAT, LON = 37.8251, -122.2324
NOW = timezone.localtime().replace(second=0, microsecond=0)
WINDOW = {
    "start": (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    "end": (NOW + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
}


def test_the_export_link_of_a_narrowed_canvass_exports_only_those_vehicles():
    near = {"latitude": LAT + 0.0005, "longitude": LON}
    record_reads(
        CameraFactory(name="Grand Ave"),
        [
            read_item(plate="4RED444", vehicle_color="red", **near),
            read_item(plate="5BLU555", vehicle_color="blue", **near),
        ],
    )
    ines = with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-0311")
    page = ines.get(
        "/investigations/canvass",
        {"lat": LAT, "lon": LON, "radius_m": 500, "color": "red", **WINDOW},
    )
    link = re.search(
        r'href="(/investigations/export/canvass\?[^"]*format=csv[^"]*)"', page.content.decode()
    )
    assert link, "a narrowed canvass offers its export"

    exported = ines.get(link.group(1).replace("&amp;", "&"))

    assert exported.status_code == 200, exported.content
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [row["plate"] for row in rows] == ["4RED444"]

"""Searching and canvassing by vehicle description in the web pages: the forms, the vehicle
and hotlist columns, and canvass thumbnails disclosed in the page's one audit event."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.reads.actions import record_reads
from tests.support.approvals import hold_nothing
from tests.support.factories import CameraFactory, image_bytes, read_item
from tests.support.people import SETUP_REQUESTER
from tests.web.conftest import signed_in, with_purpose

LAT, LON = 37.8251, -122.2324
NOW = timezone.localtime().replace(second=0, microsecond=0)
FORM_WINDOW = {
    "start": (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    "end": (NOW + dt.timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
}
CIRCLE = {"shape": "circle", "lat": LAT, "lon": LON, "radius_m": 300}


@pytest.fixture
def traffic(db) -> None:
    crop = base64.b64encode(image_bytes(color="navy")).decode()
    pickup = {"vehicle_make": "Ford", "vehicle_color": "White", "vehicle_type": "pickup"}
    sedan = {"vehicle_make": "Honda", "vehicle_color": "blue", "vehicle_type": "sedan"}
    items = [
        read_item(plate="5QRS777", latitude=LAT, longitude=LON, plate_crop=crop, **pickup),
        read_item(plate="6LMN888", latitude=LAT, longitude=LON, **sedan),
    ]
    assert not record_reads(CameraFactory(), items).rejected
    hotlist = create_hotlist("Stolen", requester=SETUP_REQUESTER)
    add_entry(hotlist, "5QRS777", requester=SETUP_REQUESTER)


@pytest.fixture
def ines(db):
    return with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-0311")


def test_a_search_by_vehicle_alone_lists_the_vehicle_and_the_hotlist_flag(ines, traffic):
    params = {"plate": "", "color": "white", "type": "PICKUP", **FORM_WINDOW}
    hold_nothing()  # without it the search waits for approval (tests/web/test_approvals_pages)

    page = ines.get("/search", params).content.decode()

    assert "5QRS777" in page
    assert "6LMN888" not in page
    assert "White Ford pickup" in page
    assert ">hotlist</span>" in page
    event = AuditEvent.objects.filter(action="reads.search").latest("id")
    assert event.query["color"] == "white"


def test_a_search_by_vehicle_over_a_long_window_says_which_limit(ines, traffic):
    start = (NOW - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    params = {"plate": "", "make": "Ford", "start": start, "end": FORM_WINDOW["end"]}

    response = ines.get("/search", params)

    assert response.status_code == 400
    assert "a search without a plate spans at most 7 days" in response.content.decode()


def test_a_canvass_by_vehicle_shows_thumbnails_audited_with_the_page(ines, traffic):
    params = {**CIRCLE, **FORM_WINDOW, "view": "reads", "make": "ford"}

    page = ines.get("/investigations/canvass", params).content.decode()

    assert "5QRS777" in page
    assert "6LMN888" not in page
    assert 'src="data:image/jpeg;base64,' in page
    event = AuditEvent.objects.filter(action="reads.canvass").latest("id")
    assert event.query["make"] == "ford"
    assert len(event.record_ids) == 2, "the read and its image's hash"


def test_a_canvass_by_plate_shows_each_plates_vehicle_and_hotlist_flag(ines, traffic):
    params = {**CIRCLE, **FORM_WINDOW, "view": "plates", "color": "WHITE"}

    page = ines.get("/investigations/canvass", params).content.decode()

    assert "5QRS777" in page
    assert "6LMN888" not in page
    assert "White Ford pickup" in page
    assert ">hotlist</span>" in page
    assert "color=WHITE&amp;format=csv" in page  # its export keeps the description

"""Search and canvass by vehicle description: make, colour and type, with or without a plate."""

from __future__ import annotations

import datetime as dt

import pytest

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.investigations import queries as investigations
from platekeeper.server.investigations.areas import Circle
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import QueryError, VehicleFilter, search_plate
from tests.support.approvals import hold_nothing
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
NOW = dt.datetime.now(dt.UTC)
WINDOW = {"start": NOW - dt.timedelta(days=2), "end": NOW + dt.timedelta(hours=6)}
WHITE_PICKUP = VehicleFilter(color="WHITE", type="pickup")


def vehicle(make: str, color: str, kind: str) -> dict[str, str]:
    return {"vehicle_make": make, "vehicle_color": color, "vehicle_type": kind}


@pytest.fixture
def requester():
    record_reads(
        CameraFactory(),
        [
            read_item(plate="7ABC123", **vehicle("Ford", "white", "pickup")),
            read_item(plate="7ABC123", **vehicle("Ford", "White", "Pickup")),
            read_item(plate="7ABX123", **vehicle("Toyota", "white", "sedan")),
            read_item(plate="5QRS777", **vehicle("Ford", "white", "pickup")),
            read_item(plate="6LMN888"),
        ],
    )
    hotlist = create_hotlist("Stolen", requester=SETUP_REQUESTER)
    add_entry(hotlist, "5QRS777", requester=SETUP_REQUESTER)
    # Searches without a plate and long canvasses wait for approval (tests/server/approvals).
    hold_nothing()
    return Requester(make_user(), channel="api")


def plates(page) -> list[str]:
    return sorted(r.plate for r in page.results)


def test_a_vehicle_description_narrows_a_partial_plate_ignoring_case(requester):
    page = search_plate(requester, CASE, plate="7AB?123", vehicle=WHITE_PICKUP, **WINDOW)

    assert plates(page) == ["7ABC123", "7ABC123"]
    assert {(r.vehicle_make, r.vehicle_type) for r in page.results} == {
        ("Ford", "pickup"),
        ("Ford", "Pickup"),
    }


def test_results_show_the_vehicle_and_whether_the_plate_is_hotlisted(requester):
    page = search_plate(requester, CASE, vehicle=VehicleFilter(make="ford"), **WINDOW)

    assert plates(page) == ["5QRS777", "7ABC123", "7ABC123"]
    flagged = {r.plate: r.on_hotlist for r in page.results}
    assert flagged == {"5QRS777": True, "7ABC123": False}


def test_the_filters_are_in_the_audit_event(requester):
    search_plate(requester, CASE, plate="7ABC123", vehicle=WHITE_PICKUP)

    event = AuditEvent.objects.filter(action="reads.search").latest("id")
    assert event.query["color"] == "WHITE"
    assert event.query["type"] == "pickup"
    assert "make" not in event.query


def test_a_search_without_a_plate_is_a_bounded_broad_query(requester):
    without_case = Justification(purpose="crime_scene_canvass")
    with pytest.raises(QueryError, match=r"^plate: give a plate"):
        search_plate(requester, CASE, **WINDOW)
    with pytest.raises(QueryError, match=r"^start: a search without a plate needs start"):
        search_plate(requester, CASE, vehicle=WHITE_PICKUP)
    with pytest.raises(QueryError, match=r"^end: a search without a plate spans at most 7 days"):
        search_plate(
            requester,
            CASE,
            vehicle=WHITE_PICKUP,
            start=NOW - dt.timedelta(days=8),
            end=NOW,
        )
    with pytest.raises(QueryError, match=r"^case_number: a search without a plate needs"):
        search_plate(requester, without_case, vehicle=WHITE_PICKUP, **WINDOW)


def test_an_overlong_filter_names_its_field():
    with pytest.raises(QueryError, match=r"^make: at most 40"):
        VehicleFilter(make="x" * 41)


def test_a_canvass_keeps_only_the_described_vehicles_and_says_so_in_the_audit(requester):
    window = investigations.Window(Circle(37.8251, -122.2324, 200), **WINDOW)

    page = investigations.canvass(requester, CASE, window, vehicle=VehicleFilter(make="TOYOTA"))

    assert plates(page) == ["7ABX123"]
    assert page.results[0].vehicle_color == "white"
    event = AuditEvent.objects.filter(action="reads.canvass").latest("id")
    assert event.query["make"] == "TOYOTA"


def test_a_canvass_by_plate_names_each_plates_vehicle_and_hotlist_flag(requester):
    window = investigations.Window(Circle(37.8251, -122.2324, 200), **WINDOW)

    grouped = investigations.canvass_by_plate(requester, CASE, window, vehicle=WHITE_PICKUP)

    found = {g.plate: (g.reads, g.vehicle_make, g.on_hotlist) for g in grouped.groups}
    assert found == {"7ABC123": (2, "Ford", False), "5QRS777": (1, "Ford", True)}

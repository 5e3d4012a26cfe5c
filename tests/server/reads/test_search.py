"""Plate search: exact, partial (wildcards) and look-alike, as investigators use it."""

from __future__ import annotations

import datetime as dt

import pytest

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import QueryError, search_plate
from tests.support.factories import CameraFactory, read_item
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
NOW = dt.datetime.now(dt.UTC)
# The end lies ahead: a long suite may run this hours after NOW was taken, and the reads are
# stamped when each test runs.
WINDOW = {"start": NOW - dt.timedelta(days=2), "end": NOW + dt.timedelta(hours=6)}


@pytest.fixture
def requester():
    camera = CameraFactory()
    plates = ["7ABC123", "7ABX123", "8OB555", "B0B555", "1XY9ZZ", "7ABC123"]
    record_reads(camera, [read_item(plate=p) for p in plates])
    return Requester(make_user(), channel="api")


def plates(page) -> list[str]:
    return sorted(r.plate for r in page.results)


def test_exact(requester):
    assert plates(search_plate(requester, CASE, plate="7abc-123")) == ["7ABC123", "7ABC123"]


def test_partial_with_one_unknown_character(requester):
    page = search_plate(requester, CASE, plate="7AB?123", **WINDOW)

    assert plates(page) == ["7ABC123", "7ABC123", "7ABX123"]


def test_partial_with_any_run(requester):
    assert plates(search_plate(requester, CASE, plate="*XY9*", **WINDOW)) == ["1XY9ZZ"]


def test_lookalike_finds_the_other_reading(requester):
    page = search_plate(requester, CASE, plate="8OB555", lookalike=True, **WINDOW)

    assert plates(page) == ["8OB555", "B0B555"]


def test_a_scan_needs_a_bounded_window(requester):
    with pytest.raises(QueryError, match="needs start and end"):
        search_plate(requester, CASE, plate="7AB?123")
    with pytest.raises(QueryError, match="at most 31 days"):
        search_plate(requester, CASE, plate="7AB?123", start=NOW - dt.timedelta(days=40), end=NOW)


def test_scan_pages_with_a_cursor(requester):
    first = search_plate(requester, CASE, plate="7AB?123", limit=2, **WINDOW)
    second = search_plate(
        requester, CASE, plate="7AB?123", limit=2, cursor=first.next_cursor, **WINDOW
    )

    assert len(first.results) == 2
    assert len(second.results) == 1
    assert second.next_cursor is None

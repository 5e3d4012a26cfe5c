"""Exact-plate search over all history: newest first, paged by cursor, optionally windowed.

On PostgreSQL it runs through the `reads_exact_plate` function (one generic plan per
connection instead of planning every day partition on each search); the results must be
the ORM query's, on both databases.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.reads import partitions
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from platekeeper.server.reads.queries import search_plate
from tests.support.factories import CameraFactory, read_item
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@pytest.fixture
def requester():
    """Seven reads of 7ABC123 over three weeks (two at the same moment), and other plates."""
    moments = [NOW - dt.timedelta(days=d, hours=1) for d in (0, 2, 2, 5, 9, 14, 20)]
    items = [read_item(plate="7ABC123", captured_at=m.isoformat()) for m in moments]
    items += [read_item(plate="8XYZ999", captured_at=m.isoformat()) for m in moments[:3]]
    record_reads(CameraFactory(), items)
    return Requester(make_user(), channel="api")


def newest_first(**window: dt.datetime) -> list[str]:
    reads = Read.objects.filter(plate_normalized="7ABC123", **window)
    return [str(r.id) for r in reads.order_by("-captured_at", "-id")]


def every_page(requester, limit: int, **window: dt.datetime) -> list[str]:
    ids, cursor = [], None
    while True:
        page = search_plate(requester, CASE, plate="7abc 123", limit=limit, cursor=cursor, **window)
        ids += [r.id for r in page.results]
        cursor = page.next_cursor
        if cursor is None:
            return ids


def test_pages_cover_all_history_newest_first(requester):
    assert every_page(requester, limit=3) == newest_first()
    assert len(newest_first()) == 7


def test_a_window_bounds_the_pages(requester):
    start, end = NOW - dt.timedelta(days=10), NOW - dt.timedelta(days=1)

    found = every_page(requester, limit=2, start=start, end=end)

    assert found == newest_first(captured_at__gte=start, captured_at__lte=end)
    assert len(found) == 4


def test_postgresql_keeps_one_generic_plan(requester):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes the ORM query")
    with connection.cursor() as cursor:
        cursor.execute("SELECT proconfig FROM pg_proc WHERE proname = %s", [partitions.EXACT_PLATE])
        assert cursor.fetchone()[0] == ["plan_cache_mode=force_generic_plan"]

    with CaptureQueriesContext(connection) as queries:
        search_plate(requester, CASE, plate="7ABC123")

    assert any(partitions.EXACT_PLATE in q["sql"] for q in queries.captured_queries)

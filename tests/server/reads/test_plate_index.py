"""Partial and look-alike searches are narrowed by the trigram indexes on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.reads import partitions
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from platekeeper.server.reads.plate_index import narrow_scan
from platekeeper.server.reads.queries import search_plate
from tests.support.factories import CameraFactory, read_item
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def window():
    end = dt.datetime.now(dt.UTC)
    return Read.objects.filter(captured_at__gte=end - dt.timedelta(days=31), captured_at__lte=end)


@pytest.mark.parametrize(
    ("pattern", "lookalike", "index"),
    [("7AB?12", False, "plate_normalized"), ("8OB555", True, "translate")],
)
def test_the_scan_can_be_answered_from_a_trigram_index(pattern, lookalike, index):
    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:  # an empty table would be scanned whatever the index
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = narrow_scan(Read.objects.all(), pattern, lookalike=lookalike).explain()

    assert "Bitmap Index Scan" in plan
    assert index in plan


def test_sqlite_scans_the_window_as_it_is(window):
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite")
    assert narrow_scan(window, "7AB?12", lookalike=False).query is window.query


def test_a_partial_search_fetches_its_page_from_the_found_days_only():
    """A 31-day partial search fetches its page by id and time, so PostgreSQL opens only the
    day partitions of the reads found (by id alone it walked every day of the window)."""
    if connection.vendor != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    found_days = [now - dt.timedelta(days=3), now - dt.timedelta(days=17)]
    items = [read_item(plate="7ABC123", captured_at=day.isoformat()) for day in found_days]
    items += [
        read_item(plate="5QRS777", captured_at=(now - dt.timedelta(days=d)).isoformat())
        for d in range(31)
    ]
    with connection.cursor() as cursor:  # the window's days, as the scheduler makes them
        for days_ago in range(32):
            partitions.ensure_partition(cursor, (now - dt.timedelta(days=days_ago)).date())
    record_reads(CameraFactory(), items)
    requester = Requester(make_user(), channel="api")
    justification = Justification(purpose="crime_scene_canvass", case_number="24-0311")

    with CaptureQueriesContext(connection) as queries:
        page = search_plate(
            requester, justification, plate="7AB?123",
            start=now - dt.timedelta(days=30), end=now + dt.timedelta(hours=1),
        )  # fmt: skip
    page_fetch = next(q["sql"] for q in queries if '"reads_read"."id" IN (' in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {page_fetch}")
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert [r.plate for r in page.results] == ["7ABC123", "7ABC123"]
    opened = set(re.findall(r"\breads_read_p\d{8}\b", plan))
    assert opened == {partitions.partition_name(day.date()) for day in found_days}

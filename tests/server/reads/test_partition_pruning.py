"""Lookups by read id open one day partition, not every day of the year (PostgreSQL).

An id alone tells PostgreSQL nothing about the day, so it would plan and probe every day
partition; each fetch by id carries the capture time it knows, and EXPLAIN shows the pruning.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.access.roles import Role
from platekeeper.server.investigations import queries as investigations
from platekeeper.server.investigations.areas import Circle
from platekeeper.server.reads import partitions
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import read_detail, read_page
from tests.support.factories import CameraFactory, read_item
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
SCENE = (37.8251, -122.2324)
#: Past days given a partition, so that "all partitions" is clearly more than a few.
DAYS = 30


@pytest.fixture
def year_of_days():
    """Day partitions for the last DAYS days, and one read at the scene at noon on each."""
    if connection.vendor != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only; SQLite keeps one reads table")
    today = dt.datetime.now(dt.UTC).date()
    days = [today - dt.timedelta(days=n) for n in range(1, DAYS + 1)]
    with connection.cursor() as cursor:
        for day in days:
            partitions.ensure_partition(cursor, day)
    noons = [dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC) for day in days]
    camera = CameraFactory(latitude=SCENE[0], longitude=SCENE[1])
    stored = record_reads(
        camera,
        [
            read_item(captured_at=noon.isoformat(), latitude=SCENE[0], longitude=SCENE[1])
            for noon in noons
        ],
    )
    assert stored.stored == DAYS, stored.rejected
    return dict(zip(noons, (str(i) for i in stored.stored_ids), strict=True))


def partitions_opened(queries: list[dict]) -> list[int]:
    """For each statement by id on the reads table, how many partitions its plan opens."""
    opened = []
    with connection.cursor() as cursor:
        for query in queries:
            sql = query["sql"]
            if 'FROM "reads_read"' not in sql or '"reads_read"."id"' not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            opened.append(
                len(set(re.findall(rf"\b({partitions.PREFIX}\d+|{partitions.KEPT})\b", plan)))
            )
    return opened


def test_a_read_by_id_opens_only_its_day(year_of_days):
    ines = Requester(make_user("ines", Role.INVESTIGATOR), channel="api")
    noon, read_id = sorted(year_of_days.items())[DAYS // 2]
    with CaptureQueriesContext(connection) as captured:
        detail = read_detail(ines, CASE, read_id)
        read_page(ines, CASE, read_id)
        investigations.sightings(ines, CASE, read_id, hours=1)

    assert detail.captured_at == noon
    opened = partitions_opened(captured.captured_queries)
    assert opened
    assert max(opened) == 1, opened
    assert len(partitions.partitions(connection)) > DAYS


def test_a_canvass_page_opens_only_the_days_of_its_window(year_of_days):
    ines = Requester(make_user("ines", Role.INVESTIGATOR), channel="api")
    noon = sorted(year_of_days)[DAYS // 2]
    window = investigations.Window(
        Circle(*SCENE, 500), noon - dt.timedelta(hours=12), noon + dt.timedelta(hours=12)
    )
    with CaptureQueriesContext(connection) as captured:
        page = investigations.canvass(ines, CASE, window)

    assert [r.id for r in page.results] == [year_of_days[noon]]
    opened = partitions_opened(captured.captured_queries)
    assert opened
    assert max(opened) <= 2, opened

"""Partial and look-alike searches are narrowed by the trigram indexes on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from platekeeper.server.reads.models import Read
from platekeeper.server.reads.plate_index import narrow_scan

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

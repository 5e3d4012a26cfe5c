"""Reads partitioned by day on PostgreSQL: a fresh install, ingest across midnight, late reads,
and the resumable conversion of an existing table of a few hundred thousand rows."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from platekeeper.server.reads import partitions
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from tests.support.factories import read_item
from tests.support.live import isolated_environment
from tests.support.postgres import pg_connect

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only; SQLite keeps one reads table")


def test_sqlite_keeps_one_reads_table():
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite")
    with connection.cursor() as cursor:
        tables = [t.name for t in connection.introspection.get_table_list(cursor)]
    assert "reads_read" in tables
    assert not [t for t in tables if t.startswith(partitions.PREFIX) or t == partitions.KEYS]


def test_a_fresh_install_is_partitioned_by_day_with_days_ready_ahead(postgres_only):
    names = {p.name for p in partitions.partitions(connection)}
    today = dt.datetime.now(dt.UTC).date()

    assert partitions.KEPT in names
    for offset in range(partitions.DAYS_AHEAD + 1):
        assert partitions.partition_name(today + dt.timedelta(days=offset)) in names


def test_a_resend_across_midnight_stays_a_duplicate(postgres_only, device):
    midnight = dt.datetime.combine(dt.datetime.now(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)
    item = read_item(captured_at=(midnight - dt.timedelta(seconds=1)).isoformat())
    first = record_reads(device.camera, [item])
    # The camera's clock was corrected: the same read comes back stamped after midnight.
    resent = {**item, "captured_at": (midnight + dt.timedelta(seconds=1)).isoformat()}
    again = record_reads(device.camera, [resent, item])

    assert (first.stored, again.stored, again.duplicates) == (1, 0, 2)
    assert Read.objects.filter(id=item["id"]).count() == 1


def test_a_read_of_a_day_without_partition_is_kept_then_moved_into_its_day(postgres_only, device):
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=40)
    moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
    item = read_item(captured_at=moment.isoformat())
    assert record_reads(device.camera, [item]).stored == 1
    assert _rows(partitions.KEPT) == 1

    created = partitions.prepare(connection, days_ahead=0, today=day + dt.timedelta(days=1))

    assert partitions.partition_name(day) in created
    assert (_rows(partitions.KEPT), _rows(partitions.partition_name(day))) == (0, 1)
    assert record_reads(device.camera, [item]).duplicates == 1


def _rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - our table names
        return cursor.fetchone()[0]


CONVERTED_READS = 300_000
CONVERTED_DAYS = 30

_INTERRUPTED = """
import os, sys
from platekeeper.cli.django_setup import setup_django
setup_django()
from django.db import connection
from platekeeper.server.reads.partitions import convert
seen = []
def stop_after_three(line):
    seen.append(line)
    if len(seen) == 4:  # the table and three days
        os._exit(9)
convert(connection, stop_after_three)
"""


def test_an_existing_table_converts_resumably_and_keeps_every_read_and_link(
    postgres_only, tmp_path
):
    url = os.environ["DATABASE_URL"]
    with isolated_environment(tmp_path, url) as env:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), "."]))
        # Up to the reads table's links, before its conversion: the unpartitioned table.
        _django(env, "migrate", "alerts", "0001")
        _django(env, "migrate", "corrections", "0001")
        with pg_connect(env["DATABASE_URL"]) as conn:
            read_id = _fill_unpartitioned(conn)

        killed = subprocess.run(  # noqa: S603 - our own code
            [sys.executable, "-c", _INTERRUPTED], env=env, capture_output=True, check=False
        )
        assert killed.returncode == 9, killed.stderr
        with pg_connect(env["DATABASE_URL"]) as conn:
            moved = conn.execute("SELECT count(*) FROM reads_read").fetchone()[0]
            left = conn.execute(f"SELECT count(*) FROM {partitions.OLD}").fetchone()[0]  # noqa: S608
        assert 0 < moved < CONVERTED_READS
        assert moved + left == CONVERTED_READS

        _django(env, "migrate")  # resumes where the killed run stopped

        with pg_connect(env["DATABASE_URL"]) as conn:
            count = conn.execute("SELECT count(*) FROM reads_read").fetchone()[0]
            keys = conn.execute("SELECT count(*) FROM reads_readkey").fetchone()[0]
            days = conn.execute(
                "SELECT count(*) FROM pg_inherits WHERE inhparent = 'reads_read'::regclass "
                "AND inhrelid::regclass::text LIKE 'reads_read_p%'"
            ).fetchone()[0]
            old = conn.execute("SELECT to_regclass(%s)", [partitions.OLD]).fetchone()[0]
            link = conn.execute(
                "SELECT confrelid::regclass::text FROM pg_constraint "
                "WHERE conrelid = 'alerts_alert'::regclass AND contype = 'f' "
                "AND conkey[1] = (SELECT attnum FROM pg_attribute "
                "WHERE attrelid = 'alerts_alert'::regclass AND attname = 'read_id')"
            ).fetchone()[0]
            resent = conn.execute(
                "INSERT INTO reads_read SELECT * FROM reads_read WHERE id = %s", [read_id]
            ).rowcount
        assert (count, keys, old, link, resent) == (
            CONVERTED_READS,
            CONVERTED_READS,
            None,
            partitions.KEYS,
            0,
        )
        assert days >= CONVERTED_DAYS


def _django(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(  # noqa: S603 - Django's own command, fixed arguments
        [sys.executable, "-m", "django", *args, "--settings=platekeeper.server.settings"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def _fill_unpartitioned(conn) -> uuid.UUID:
    """CONVERTED_READS reads over CONVERTED_DAYS days, and one alert linked to a read."""
    conn.execute(
        "INSERT INTO agencies_agency (name, ori, type, jurisdiction, is_home, created_at) "
        "VALUES ('Home PD', 'CA0010000', 'police', 'CA', true, now())"
    )
    camera = conn.execute(
        "INSERT INTO cameras_camera (name, kind, latitude, longitude, active, created_at, "
        "agency_id) SELECT 'Convert 1', 'fixed', 37.8, -122.2, true, now(), min(id) "
        "FROM agencies_agency RETURNING id"
    ).fetchone()[0]
    conn.execute(
        """
        INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state,
            confidence, candidates, captured_at, received_at, latitude, longitude, geocell,
            vehicle_make, vehicle_color, vehicle_type)
        SELECT gen_random_uuid(), %s, 'api', p, p, 'CA', 0.9, '[]', t, t, 37.82, -122.23,
            3782012223, '', '', ''
        FROM (SELECT upper(substr(md5(n::text), 1, 7)) AS p,
                     now() - make_interval(secs => n * %s) AS t
              FROM generate_series(1, %s) AS n) AS g
        """,
        [camera, CONVERTED_DAYS * 86_400 / CONVERTED_READS, CONVERTED_READS],
    )
    return conn.execute("SELECT id FROM reads_read LIMIT 1").fetchone()[0]

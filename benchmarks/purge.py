"""Time to purge one day of a year of reads, next to a raw DELETE and the batched DELETE path.

For each database (SQLite, and PostgreSQL when one answers) a fresh data dir is filled with
N reads spread evenly from midnight (UTC) 366 days ago to now (random UUID keys, rows in time
order, every index of the real schema; on PostgreSQL one partition per day), so the first
whole day is past the 365-day period. Then, in one run:

1. `purge()` of that day as `serve` runs it: the day's reads carry a plate crop each (rows and
   files), 100 of them are on hold, and the run is audited (PostgreSQL: the day's partition is
   dropped, the held reads moved to the kept partition first); also timed to the commit of
   the day's transaction (what holds locks), before its image files are deleted;
2. a raw `DELETE FROM reads_read WHERE captured_at >= X AND captured_at < Y` of the next day
   (no images, no holds, no audit): the floor of any row-by-row purge;
3. `purge()` of the day after that, with no images, to compare like with like;
4. PostgreSQL only: `purge()` of the next day with dropping switched off, i.e. the batched
   DELETE path that purged every day before partitions (and still purges SQLite).

Usage: python benchmarks/purge.py [--reads N] [--postgres-only]
(default 1M reads, so `make bench` stays short; `--reads 10M` is a large agency's year)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import time
from pathlib import Path

import _harness

DAYS = 366
HELD = 100


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=_harness.count, default=1_000_000, help="reads a year")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_work(args.reads)))
        return
    rows = []
    for label, url in _harness.databases():
        if args.postgres_only and url is None:
            continue
        result = _harness.run_worker(__file__, url, "--reads", str(args.reads))
        day = result["day_reads"]
        rows.append([label, args.reads, "fill (raw SQL + indexes)", "-", result["fill_s"], "-"])
        rows.append(
            [label, args.reads, "purge: 1 day with crops", day, result["purge_s"],
             day / result["purge_s"]]
        )  # fmt: skip
        rows.append(
            [label, args.reads, "  of which until the day's commit", day, result["commit_s"],
             day / result["commit_s"]]
        )  # fmt: skip
        rows.append(
            [label, args.reads, "raw DELETE: 1 day", result["raw_reads"], result["raw_s"],
             result["raw_reads"] / result["raw_s"]]
        )  # fmt: skip
        rows.append(
            [label, args.reads, "purge: 1 day, no images", result["plain_reads"],
             result["plain_s"], result["plain_reads"] / result["plain_s"]]
        )  # fmt: skip
        if "batched_s" in result:
            rows.append(
                [label, args.reads, "purge, DELETE path: 1 day", result["batched_reads"],
                 result["batched_s"], result["batched_reads"] / result["batched_s"]]
            )  # fmt: skip
        print(
            f"({label}: {result['fill_s']:.0f} s to fill; the purge removed {day} reads, "
            f"{result['images']} image rows and files, and kept {HELD} held reads)",
            flush=True,
        )
    _harness.print_table(
        "Purging one day of a year of reads (365-day retention)",
        ["database", "reads/year", "step", "reads", "seconds", "reads/s"],
        rows,
    )


# --- The worker: runs inside the isolated environment, with Django ----------------------


def _work(reads: int) -> dict:
    from platekeeper.cli.django_setup import setup_django

    setup_django()
    from django.db import connection, transaction

    from platekeeper.server.access.gate import Requester
    from platekeeper.server.retention import purge as purge_module
    from platekeeper.server.retention.models import RetentionSettings
    from platekeeper.server.retention.purge import purge

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    start = midnight - dt.timedelta(days=DAYS)
    started = time.perf_counter()
    _fill(connection, reads, start, now)
    fill_s = time.perf_counter() - started
    day1_end = midnight - dt.timedelta(days=365)
    _attach_images(connection, start, day1_end)
    _hold(connection, start, day1_end)
    with connection.cursor() as cursor:  # statistics as a live database would have them
        cursor.execute("ANALYZE")

    requester = Requester.system("bench")
    committed = []  # when the dropped day committed (its files are deleted after that)

    def progress(step) -> None:
        if step.phase == "days" and step.done and step.done == step.total:
            committed.append(time.perf_counter())

    started = time.perf_counter()
    report = purge(requester=requester, progress=progress)
    purge_s = time.perf_counter() - started
    commit_s = committed[0] - started if committed else purge_s

    day2_end = midnight - dt.timedelta(days=364)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM reads_read WHERE captured_at >= %s AND captured_at < %s",
            [_db_time(day1_end), _db_time(day2_end)],
        )
        raw_reads = cursor.rowcount
    raw_s = time.perf_counter() - started

    RetentionSettings.objects.update(reads_days=363, images_days=363)
    started = time.perf_counter()
    plain = purge(requester=requester)
    plain_s = time.perf_counter() - started
    result = {
        "fill_s": fill_s,
        "day_reads": report.reads_deleted,
        "images": report.images_deleted,
        "purge_s": purge_s,
        "commit_s": commit_s,
        "raw_reads": raw_reads,
        "raw_s": raw_s,
        "plain_reads": plain.reads_deleted,
        "plain_s": plain_s,
    }
    if connection.vendor == "postgresql":
        RetentionSettings.objects.update(reads_days=362, images_days=362)
        purge_module._drop_expired_days = lambda *args: None  # the DELETE path, as before
        started = time.perf_counter()
        batched = purge(requester=requester)
        result["batched_s"] = time.perf_counter() - started
        result["batched_reads"] = batched.reads_deleted
    return result


def _db_time(moment: dt.datetime):
    from django.db import connection

    if connection.vendor == "postgresql":
        return moment
    return moment.replace(tzinfo=None).isoformat(" ")


def _fill(connection, reads: int, start: dt.datetime, end: dt.datetime) -> None:
    """Insert the year with secondary indexes dropped, then build them (as a restore would)."""
    step = (end - start).total_seconds() / reads
    with connection.cursor() as cursor:
        camera = cursor.execute("SELECT min(id) FROM cameras_camera").fetchone()[0]
    with _harness.reads_bulk_load(connection, (start.date(), end.date())) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state,
                    confidence, candidates, captured_at, received_at, latitude, longitude,
                    geocell, vehicle_make, vehicle_color, vehicle_type)
                SELECT gen_random_uuid(), %s, 'api', p, p, 'CA', 0.9, '[]', t, t,
                    37.82, -122.23, 3782012223 + n %% 50, '', '', ''
                FROM (SELECT n, upper(substr(md5(n::text), 1, 7)) AS p,
                             %s + n * make_interval(secs => %s) AS t
                      FROM generate_series(0, %s - 1) AS n) AS g
                """,
                [camera, start, step, reads],
            )
        else:
            cursor.execute(
                """
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
                INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state,
                    confidence, candidates, captured_at, received_at, latitude, longitude,
                    geocell, vehicle_make, vehicle_color, vehicle_type)
                SELECT lower(hex(randomblob(16))), %s, 'api', p, p, 'CA', 0.9, '[]', t, t,
                    37.82, -122.23, 3782012223 + n %% 50, '', '', ''
                FROM (SELECT n, upper(substr(hex(randomblob(4)), 1, 7)) AS p,
                             strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s + n * %s, 'unixepoch') AS t
                      FROM seq)
                """,
                [reads - 1, camera, start.timestamp(), step],
            )


def _attach_images(connection, start: dt.datetime, end: dt.datetime) -> int:
    """Give each read of the expired day its own small plate crop: a row and a file."""
    from django.conf import settings
    from django.db import transaction

    media = Path(settings.MEDIA_ROOT)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT id FROM reads_read WHERE captured_at < %s", [_db_time(end)])
        ids = [row[0] for row in cursor.fetchall()]
        images, links = [], []
        for read_id in ids:
            data = b"\xff\xd8\xff" + os.urandom(1500)
            digest = hashlib.sha256(data).hexdigest()
            path = f"images/{digest[:2]}/{digest}.jpg"
            (media / path).parent.mkdir(parents=True, exist_ok=True)
            (media / path).write_bytes(data)
            images.append((digest, "image/jpeg", len(data), path, _db_time(start)))
            links.append((digest, read_id))
        cursor.executemany(
            "INSERT INTO reads_image (sha256, content_type, size_bytes, path, created_at) "
            "VALUES (%s, %s, %s, %s, %s)",
            images,
        )
        # The time bound lets PostgreSQL look in the day's partition only.
        cursor.executemany(
            "UPDATE reads_read SET plate_crop_id = %s WHERE id = %s AND captured_at < %s",
            [(digest, read_id, _db_time(end)) for digest, read_id in links],
        )
    return len(ids)


def _hold(connection, start: dt.datetime, end: dt.datetime) -> None:
    """Hold HELD reads of the expired day, so the purge has to step around them."""
    from django.utils import timezone

    from platekeeper.server.access.models import User
    from platekeeper.server.retention.models import Hold, HoldItem, HoldReason

    user = User.objects.create(username="bench-custodian")
    hold = Hold.objects.create(
        case_number="BENCH-1",
        reason=HoldReason.CRIMINAL_ACTION,
        requested_by="benchmark",
        placed_by=user,
        placed_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, captured_at FROM reads_read WHERE captured_at < %s LIMIT %s",
            [_db_time(end), HELD],
        )
        rows = cursor.fetchall()
    HoldItem.objects.bulk_create(
        HoldItem(hold=hold, read_id=read_id, captured_at=start) for read_id, _ in rows
    )


if __name__ == "__main__":
    main()

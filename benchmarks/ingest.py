"""Reads per second through POST /api/v1/reads, next to a raw bulk insert of the same rows.

For each database (SQLite, and PostgreSQL when one answers) a real `platekeeper serve` process
takes batches of 500 reads over HTTP, plain and with a small unique JPEG crop per read. The
baseline inserts rows of the same shape straight into the same table with the DB-API's
executemany, one transaction per 500, in the same run.

`--history 1M,10M,30M` first fills the table with that many reads over the past year (the
search benchmark's fill: COPY-speed `INSERT ... SELECT generate_series` into the day
partitions, indexes built afterwards), one fresh database per size, so the scaling curve of
ingest against stored history can be read across them (default: an empty table).

`--replica` also measures PostgreSQL on a private primary (`tests.support.standby`) with a
streaming hot standby attached (`pg_basebackup -R`, the server given DATABASE_REPLICA_URLS),
then on the same primary (same fill) once the standby is stopped and the server restarted
without it, at each history size.

Usage: python benchmarks/ingest.py [N] [--history SIZES] [--replica] [--postgres-only]
(N reads posted per variant, default 10,000)
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import random
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from PIL import Image

import _harness
from platekeeper.geo import geocell
from tests.support.live import isolated_environment, run_cli, running_server
from tests.support.standby import Pair, primary_and_standby

BATCH = 500


def make_items(count: int, *, rng: random.Random, with_images: bool) -> list[dict]:
    """Plausible reads around Piedmont in the last day, optionally with a unique JPEG crop."""
    now = dt.datetime.now(dt.UTC)
    items = []
    for _ in range(count):
        plate = f"{rng.randint(1, 9)}{''.join(rng.choices('ABCDEFGHJKLMNPRSTUVWXYZ', k=3))}"
        plate += f"{rng.randint(0, 999):03d}"
        item = {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "plate": plate,
            "captured_at": (now - dt.timedelta(seconds=rng.randint(60, 86_400))).isoformat(),
            "latitude": 37.8244 + rng.uniform(-0.01, 0.01),
            "longitude": -122.2317 + rng.uniform(-0.01, 0.01),
            "confidence": round(rng.uniform(0.6, 0.99), 3),
            "state": "CA",
            "candidates": [{"plate": plate, "confidence": 0.9}],
        }
        if with_images:
            item["plate_crop"] = base64.b64encode(_crop(rng)).decode()
        items.append(item)
    return items


def _crop(rng: random.Random) -> bytes:
    image = Image.new("L", (96, 48), rng.randint(0, 255))
    image.putpixel((rng.randint(0, 95), rng.randint(0, 47)), rng.randint(0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def post_all(base: str, token: str, items: list[dict]) -> float:
    """Post the items in batches of 500 and return reads per second (bodies encoded up front)."""
    bodies = [
        json.dumps({"reads": items[i : i + BATCH]}).encode() for i in range(0, len(items), BATCH)
    ]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
        started = time.perf_counter()
        for body in bodies:
            response = client.post("/api/v1/reads", content=body)
            response.raise_for_status()
            if response.json()["stored"] != BATCH:
                raise SystemExit(f"the server did not store every read: {response.text}")
        return len(items) / (time.perf_counter() - started)


_COLUMNS = (
    "id, camera_id, source, plate, plate_normalized, state, confidence, candidates, captured_at,"
    " received_at, latitude, longitude, geocell, plate_box, vehicle_make, vehicle_color,"
    " vehicle_type"
)


def _row(item: dict, camera_id: int, *, postgres: bool) -> tuple:
    read_id = uuid.UUID(item["id"])
    now = dt.datetime.now(dt.UTC)
    captured = dt.datetime.fromisoformat(item["captured_at"])
    return (
        read_id if postgres else read_id.hex,
        camera_id,
        "api",
        item["plate"],
        item["plate"],
        item["state"],
        item["confidence"],
        json.dumps(item["candidates"]),
        captured if postgres else captured.isoformat(" "),
        now if postgres else now.isoformat(" "),
        item["latitude"],
        item["longitude"],
        geocell(item["latitude"], item["longitude"]),
        None,
        "",
        "",
        "",
    )


def raw_insert(env: dict[str, str], items: list[dict]) -> float:
    """Insert rows of the same shape with plain executemany; return rows per second."""
    url = env.get("DATABASE_URL")
    postgres = bool(url)
    if postgres:
        import psycopg

        connection = psycopg.connect(url)
        marks = ", ".join(["%s"] * 17)
    else:
        import sqlite3

        connection = sqlite3.connect(Path(env["PLATEKEEPER_DATA_DIR"]) / "platekeeper.sqlite3")
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        marks = ", ".join(["?"] * 17)
    camera_id = connection.execute("SELECT min(id) FROM cameras_camera").fetchone()[0]
    rows = [_row(item, camera_id, postgres=postgres) for item in items]
    sql = f"INSERT INTO reads_read ({_COLUMNS}) VALUES ({marks})"
    cursor = connection.cursor()
    started = time.perf_counter()
    for i in range(0, len(rows), BATCH):
        cursor.executemany(sql, rows[i : i + BATCH])
        connection.commit()
    rate = len(rows) / (time.perf_counter() - started)
    connection.close()
    return rate


def measure(
    label: str, url: str | None, count: int, history: int = 0, standby: Pair | None = None
) -> list[list[object]]:
    """Post `count` reads (plain, then with crops) to a fresh database holding `history` reads.

    With a `standby` (the primary `url` streaming to it), the same filled database is measured
    twice: first with the standby attached and named in DATABASE_REPLICA_URLS, then once the
    standby is stopped and the server restarted without it, so both rows share one fill."""
    rng = random.Random(438)
    results = []
    with tempfile.TemporaryDirectory() as tmp, isolated_environment(Path(tmp), url) as env:
        added = run_cli(env, "camera", "add", "Bench camera", "--lat", "37.82", "--lon", "-122.23")
        if added.returncode != 0:
            raise SystemExit(added.stderr)
        token = added.stdout.strip().splitlines()[-1]
        if history:
            filled = _harness.run_script(env, __file__, "--fill", str(history))
            print(f"({label}: {filled['fill_s']:.0f} s to fill {history:,} reads)", flush=True)
        phases = [(label, env)]
        if standby:
            database = env["DATABASE_URL"].rsplit("/", 1)[1]
            replica = standby.url(standby.standby_port, database)
            phases = [
                ("PostgreSQL + standby", {**env, "DATABASE_REPLICA_URLS": replica}),
                ("same primary, standby off", env),
            ]
        for phase, (phase_label, phase_env) in enumerate(phases):
            if standby and phase == 1:
                standby.stop_standby()
            with running_server(phase_env) as base:
                for with_images in (False, True):
                    api_items = make_items(count, rng=rng, with_images=with_images)
                    raw_items = make_items(count, rng=rng, with_images=False)
                    api = post_all(base, token, api_items)
                    raw = raw_insert(phase_env, raw_items)
                    variant = "with 1-2 KB JPEG crops" if with_images else "plain reads"
                    results.append(
                        [phase_label, history, variant, count, api, raw, f"{100 * api / raw:.0f}%"]
                    )
    return results


def _fill(history: int) -> dict:
    """The worker behind `--history`: fill this environment's database with the search
    benchmark's year of reads."""
    from platekeeper.cli.django_setup import setup_django

    setup_django()
    from django.db import connection

    import search

    started = time.perf_counter()
    search.fill_year(connection, history, dt.datetime.now(dt.UTC).replace(microsecond=0))
    with connection.cursor() as cursor:  # statistics as a live database would have them
        cursor.execute("ANALYZE")
    return {"fill_s": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=_harness.count, default=10_000)
    parser.add_argument("--history", default="0", help="reads stored first (1M,10M,30M)")
    parser.add_argument("--replica", action="store_true", help="also with a hot standby")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill is not None:
        print(json.dumps(_fill(args.fill)))
        return
    rows = []
    for history in _harness.counts(args.history):
        for label, url in _harness.databases():
            if args.postgres_only and url is None:
                continue
            rows.extend(measure(label, url, args.count, history))
        if args.replica:
            with primary_and_standby() as pair:
                primary = pair.url(pair.primary_port, "postgres")
                rows.extend(measure("PostgreSQL + standby", primary, args.count, history, pair))
    _harness.print_table(
        "Ingestion through the HTTP API (batches of 500) vs raw executemany of the same rows",
        ["database", "reads stored", "variant", "reads", "API reads/s", "raw inserts/s",
         "API / raw"],
        rows,
    )  # fmt: skip


if __name__ == "__main__":
    main()

"""A real `platekeeper serve` under a realistic mix of concurrent clients, on SQLite and PostgreSQL.

Clients (by default 50 for 60 s): cameras posting batches of reads with plate crops, officers
holding the live alert feed open, investigators searching (exact and partial plates) and
canvassing, and one purge deleting expired reads and images while all this runs. Printed per
kind of request: count, requests/s, p50/p95/p99 latency and errors by status; the peak number of
PostgreSQL connections the server held (`pg_stat_activity`, sampled every 50 ms) beside its pool
size. The baseline is the same queries in raw SQL on the same database in the same run, one at a
time after the load.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--database sqlite|postgresql|both]
                              [--pool-size 10] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import datetime as dt
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import _harness

PASSWORD = "Bench-Load-Password-42"  # noqa: S105 - demo accounts of a throwaway database
PIEDMONT = (37.8244, -122.2317)
PLATES = 5_000
RECENT_READS = 30_000
OLD_READS = 3_000
CRUMBS = 200  # distinct plate crops the cameras cycle through
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- set-up inside the server's environment (a subprocess with Django) ---------------------


def setup(cameras: int, officers: int) -> dict:
    """Cameras, people, a hotlist and a week of reads; returns what the clients need."""
    from platekeeper.cli.django_setup import migrate_database

    migrate_database()
    from django.db.models import Max
    from django.utils import timezone

    from platekeeper.server.access.actions import (
        create_personal_token,
        create_user,
        record_training,
    )
    from platekeeper.server.access.gate import Requester
    from platekeeper.server.access.roles import Role
    from platekeeper.server.alerts.models import Alert
    from platekeeper.server.cameras.actions import add_camera
    from platekeeper.server.hotlists.actions import add_entry, create_hotlist
    from platekeeper.server.reads.actions import record_reads
    from tests.support.factories import read_item

    setup = Requester.system("bench-setup")
    rng = random.Random(438)
    trained = timezone.localdate() - dt.timedelta(days=30)
    create_user("ines", role=Role.INVESTIGATOR, password=PASSWORD, requester=setup)
    record_training("ines", completed_on=trained, requester=setup)
    names = [f"officer{n}" for n in range(officers)]
    for name in names:
        create_user(name, role=Role.OPERATOR, password=PASSWORD, requester=setup)
        record_training(name, completed_on=trained, requester=setup)
    plates = [
        f"{rng.randint(1, 9)}{_letters(rng, 3)}{rng.randint(100, 999)}" for _ in range(PLATES)
    ]
    wanted = create_hotlist("Stolen vehicles", requester=setup, category="stolen_vehicle")
    for plate in plates[:50]:
        add_entry(wanted, plate, requester=setup)
    placed = []
    for n in range(cameras):
        lat = PIEDMONT[0] + rng.uniform(-0.02, 0.02)
        lon = PIEDMONT[1] + rng.uniform(-0.02, 0.02)
        placed.append(
            (add_camera(f"Bench {n}", requester=setup, latitude=lat, longitude=lon), lat, lon)
        )
    now = dt.datetime.now(dt.UTC)
    for start in range(0, RECENT_READS, 1000):
        camera, lat, lon = placed[(start // 1000) % len(placed)]
        items = [
            read_item(
                plate=rng.choice(plates),
                captured_at=(now - dt.timedelta(seconds=rng.uniform(60, 7 * 86400))).isoformat(),
                latitude=lat + rng.uniform(-0.003, 0.003),
                longitude=lon + rng.uniform(-0.003, 0.003),
            )
            for _ in range(1000)
        ]
        record_reads(camera.camera, items)
    return {
        "cameras": [[c.token, lat, lon] for c, lat, lon in placed],
        "investigator": create_personal_token("ines", requester=setup)[1],
        "officers": names,
        "plates": plates,
        "latest_alert": Alert.objects.aggregate(latest=Max("id"))["latest"] or 0,
    }


def _letters(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(count))


# --- the raw SQL baseline (a subprocess with Django, for the same database) ----------------


def baseline(plates: list[str], repeat: int) -> dict[str, list[float]]:
    """The queries behind each kind of request, as raw SQL on the DB-API cursor, one at a time."""
    from platekeeper.cli.django_setup import setup_django

    setup_django()
    from django.db import connection, transaction

    from platekeeper.geo import cells_within

    rng = random.Random(7)
    now = dt.datetime.now(dt.UTC)
    if connection.vendor == "sqlite":  # stored as naive UTC text
        now = now.replace(tzinfo=None)
    timings: dict[str, list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) FROM alerts_alert")
        newest_alert = cursor.fetchone()[0] or 0
        for _ in range(repeat):
            plate = rng.choice(plates)
            timings["search"].append(
                _timed(
                    cursor,
                    "SELECT r.id, r.plate_normalized, r.captured_at, r.latitude, r.longitude, "
                    "c.name FROM reads_read r JOIN cameras_camera c ON c.id = r.camera_id "
                    "WHERE r.plate_normalized = %s ORDER BY r.captured_at DESC, r.id DESC "
                    "LIMIT 51",
                    [plate],
                )
            )
            timings["search-partial"].append(
                _timed(
                    cursor,
                    "SELECT id, plate_normalized FROM reads_read WHERE captured_at >= %s "
                    "AND captured_at <= %s AND plate_normalized LIKE %s "
                    "ORDER BY captured_at DESC, id DESC LIMIT 51",
                    [now - dt.timedelta(days=1), now, plate[:3] + "%"],
                )
            )
            lat = PIEDMONT[0] + rng.uniform(-0.02, 0.02)
            lon = PIEDMONT[1] + rng.uniform(-0.02, 0.02)
            branches = " UNION ALL ".join(
                "SELECT id, captured_at, latitude, longitude FROM reads_read "
                "WHERE geocell = %s AND captured_at >= %s AND captured_at <= %s"
                for _ in cells_within(lat, lon, 500)
            )
            params = [
                value
                for cell in cells_within(lat, lon, 500)
                for value in (cell, now - dt.timedelta(days=1), now)
            ]
            timings["canvass"].append(_timed(cursor, branches, params))
            timings["alert-stream"].append(
                _timed(
                    cursor,
                    "SELECT id, read_id FROM alerts_alert WHERE id > %s ORDER BY id LIMIT 50",
                    [newest_alert],
                )
            )
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute(_insert_sql(connection.vendor), [now, now])
            timings["ingest"].append((time.perf_counter() - started) * 1000)
    return timings


def _insert_sql(vendor: str) -> str:
    """Five reads copied from stored ones under new ids: what an ingest batch inserts."""
    new_id = "gen_random_uuid()" if vendor == "postgresql" else "lower(hex(randomblob(16)))"
    return (
        "INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state, "
        "confidence, candidates, captured_at, received_at, latitude, longitude, geocell, "
        "heading, speed_kmh, plate_box, plate_crop_id, overview_id, vehicle_make, "
        "vehicle_color, vehicle_type) "
        f"SELECT {new_id}, camera_id, source, plate, plate_normalized, state, confidence, "
        "candidates, %s, %s, latitude, longitude, geocell, heading, speed_kmh, plate_box, "
        "plate_crop_id, overview_id, vehicle_make, vehicle_color, vehicle_type "
        "FROM reads_read LIMIT 5 ON CONFLICT DO NOTHING"
    )


def _timed(cursor, sql: str, params: list[object]) -> float:
    started = time.perf_counter()
    cursor.execute(sql, params)
    cursor.fetchall()
    return (time.perf_counter() - started) * 1000


# --- the clients --------------------------------------------------------------------------


class Recorder:
    """Latency and status of every request, by kind."""

    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.notes: dict[str, str] = {}

    def add(self, kind: str, started: float, status: int | str) -> None:
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[kind][str(status)] += 1


async def _request(recorder: Recorder, kind: str, send) -> object:
    import httpx

    started = time.perf_counter()
    try:
        response = await send()
    except httpx.HTTPError as error:
        recorder.add(kind, started, type(error).__name__)
        return None
    recorder.add(kind, started, response.status_code)
    return response


def _crops() -> list[str]:
    """Small, distinct JPEG plate crops (each stored once, under its own digest)."""
    import io

    from PIL import Image

    crops = []
    for n in range(CRUMBS):
        buffer = io.BytesIO()
        Image.new("RGB", (120, 60), f"#{(n * 7919) % 0xFFFFFF:06x}").save(buffer, format="JPEG")
        crops.append(base64.b64encode(buffer.getvalue()).decode())
    return crops


async def camera(base, token, lat, lon, plates, crops, recorder, until, rng) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        while time.monotonic() < until:
            started = time.monotonic()
            moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=2)
            batch = [
                {
                    "id": str(uuid.uuid4()),
                    "plate": rng.choice(plates),
                    "captured_at": moment.isoformat(),
                    "latitude": lat,
                    "longitude": lon,
                    "confidence": 0.9,
                    "plate_crop": rng.choice(crops),
                }
                for _ in range(5)
            ]
            body = {"reads": batch}
            await _request(recorder, "ingest", lambda b=body: http.post("/api/v1/reads", json=b))
            await asyncio.sleep(max(0.0, 2.0 - (time.monotonic() - started)))


async def investigator(base, token, cameras, plates, recorder, until, rng) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    justified = {"purpose": "criminal_investigation", "case_number": "26-1129"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
        while time.monotonic() < until:
            now = dt.datetime.now(dt.UTC)
            day = {"start": (now - dt.timedelta(days=1)).isoformat(), "end": now.isoformat()}
            roll = rng.random()
            if roll < 0.5:
                kind, path, params = "search", "/api/v1/reads/search", {"plate": rng.choice(plates)}
            elif roll < 0.65:
                plate = rng.choice(plates)
                kind, path = "search-partial", "/api/v1/reads/search"
                params = {"plate": plate[:3] + "*", **day}
            else:
                _, lat, lon = rng.choice(cameras)
                kind, path = "canvass", "/api/v1/reads/canvass"
                params = {"lat": lat, "lon": lon, "radius_m": 500, **day}
            query = {**justified, **params}
            await _request(recorder, kind, lambda p=path, q=query: http.get(p, params=q))
            await asyncio.sleep(rng.uniform(1.0, 2.0))


async def officer(base, username, latest_alert, recorder, until) -> None:
    """Sign in, state a purpose, and keep the live alert feed open until the end."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        token = _CSRF.search((await http.get("/login")).text).group(1)
        login = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        await _request(recorder, "login", lambda: http.post("/login", data=login))
        token = _CSRF.search((await http.get("/purpose")).text).group(1)
        stated = {"purpose": "stolen_vehicle", "case_number": "26-1129"}
        await http.post("/purpose", data={**stated, "csrfmiddlewaretoken": token})
        events = 0
        started = time.perf_counter()
        try:
            after = {"after": str(latest_alert)}
            async with http.stream("GET", "/alerts/stream", params=after, timeout=None) as response:
                recorder.add("alert-stream", started, response.status_code)
                async for line in response.aiter_lines():
                    events += line.startswith("event: alert")
                    if time.monotonic() >= until:
                        break
        except httpx.HTTPError as error:
            recorder.add("alert-stream", started, type(error).__name__)
        recorder.notes.setdefault("alert events", "0")
        recorder.notes["alert events"] = str(int(recorder.notes["alert events"]) + events)


def purge_while_loaded(env: dict[str, str], recorder: Recorder, delay: float) -> None:
    time.sleep(delay)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "platekeeper", "purge", "--batch-size", "500"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    recorder.add("purge", started, "ok" if done.returncode == 0 else f"exit {done.returncode}")
    summary = [line for line in done.stdout.splitlines() if line.startswith("Purged")]
    recorder.notes["purge"] = summary[0] if summary else done.stderr.strip()[-300:]


def watch_connections(url: str | None, stop: threading.Event, peaks: Counter[str]) -> None:
    """The most connections each program (its application_name) held at once."""
    if not url:
        return
    from tests.support.postgres import pg_connect

    with pg_connect(url) as watcher:
        while not stop.is_set():
            rows = watcher.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "GROUP BY application_name"
            ).fetchall()
            for name, count in rows:
                peaks[name or "other"] = max(peaks[name or "other"], count)
            time.sleep(0.05)


async def run_clients(base, data, env, clients, seconds, recorder, crops) -> None:
    officers = max(1, clients // 10)
    cameras = max(1, (clients - officers - 1) * 2 // 5)
    investigators = max(1, clients - officers - cameras - 1)
    recorder.notes["mix"] = (
        f"{cameras} cameras, {investigators} investigators, {officers} officers, 1 purge"
    )
    until = time.monotonic() + seconds
    purge = threading.Thread(target=purge_while_loaded, args=(env, recorder, seconds / 6))
    purge.start()
    tasks = [
        camera(base, *data["cameras"][n % len(data["cameras"])], data["plates"], crops, recorder,
               until, random.Random(n))
        for n in range(cameras)
    ]  # fmt: skip
    tasks += [
        investigator(base, data["investigator"], data["cameras"], data["plates"], recorder, until,
                     random.Random(1000 + n))
        for n in range(investigators)
    ]  # fmt: skip
    tasks += [
        officer(base, name, data["latest_alert"], recorder, until)
        for name in data["officers"][:officers]
    ]
    await asyncio.gather(*tasks)
    await asyncio.to_thread(purge.join)


async def _old_reads(base, data, crops) -> None:
    """Reads of 400 days ago with crops, sent before the clock starts: the purge's work."""
    import httpx

    token, lat, lon = data["cameras"][0]
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    async with httpx.AsyncClient(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        for start in range(0, OLD_READS, 500):
            batch = [
                {
                    "id": str(uuid.uuid4()),
                    "plate": random.choice(data["plates"]),
                    "captured_at": (moment - dt.timedelta(minutes=start + n)).isoformat(),
                    "latitude": lat,
                    "longitude": lon,
                    "plate_crop": crops[(start + n) % len(crops)],
                }
                for n in range(500)
            ]
            response = await http.post("/api/v1/reads", json={"reads": batch})
            response.raise_for_status()


# --- one database ---------------------------------------------------------------------------


def measure(
    label: str, url: str | None, clients: int, seconds: int, pool_size: int, workers: int
) -> None:
    from tests.support.live import isolated_environment, running_server

    officers = max(1, clients // 10)
    with tempfile.TemporaryDirectory() as tmp, isolated_environment(Path(tmp) / "data", url) as env:
        env.update(
            PLATEKEEPER_DB_POOL_SIZE=str(pool_size),
            PLATEKEEPER_WORKERS=str(workers),
            PLATEKEEPER_AUDIT_KEY_FILE=str(Path(tmp) / "keys" / "audit.key"),
            PLATEKEEPER_LOG_LEVEL="WARNING",
            PYTHONPATH=str(_harness.REPO),
        )
        data = _subprocess(env, "--setup", str(max(4, clients // 2)), str(officers))
        recorder = Recorder()
        stop, peaks = threading.Event(), Counter()
        # libpq names each program's connections, so the watcher tells the server's apart.
        with running_server({**env, "PGAPPNAME": "platekeeper-serve"}) as base:
            watcher = threading.Thread(
                target=watch_connections, args=(env.get("DATABASE_URL"), stop, peaks)
            )
            crops = _crops()
            asyncio.run(_old_reads(base, data, crops))
            watcher.start()
            started = time.perf_counter()
            asyncio.run(run_clients(base, data, env, clients, seconds, recorder, crops))
            elapsed = time.perf_counter() - started
            stop.set()
            watcher.join()
        raw = _subprocess(env, "--baseline", json.dumps(data["plates"][:500]))
    pools = f"{workers} x pool {pool_size}" if workers > 1 else f"pool {pool_size}"
    _report(label, url, clients, seconds, pools, recorder, elapsed, peaks, raw)


def _subprocess(env: dict[str, str], *args: str) -> dict:
    done = subprocess.run(  # noqa: S603 - this script, fixed arguments
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(label, url, clients, seconds, pools, recorder, elapsed, peaks, raw) -> None:
    today = dt.date.today().isoformat()  # noqa: DTZ011 - the local date of the measurement
    rows = []
    total = 0
    errors: Counter[str] = Counter()
    for kind in ("ingest", "search", "search-partial", "canvass", "alert-stream", "login", "purge"):
        times = recorder.latencies.get(kind, [])
        if not times:
            continue
        statuses = recorder.statuses[kind]
        bad = {s: n for s, n in statuses.items() if not (s[0] in "23" or s == "ok")}
        errors.update({f"{kind} {s}": n for s, n in bad.items()})
        total += len(times)
        rows.append(
            [kind, len(times), len(times) / elapsed, *_percentiles(times),
             ", ".join(f"{s}: {n}" for s, n in sorted(bad.items())) or "-",
             *_percentiles(raw.get(kind, []))[:2]]
        )  # fmt: skip
    _harness.print_table(
        f"load: {clients} clients for {seconds} s on {label} ({pools}; {today}; "
        f"{recorder.notes.get('mix', '')})",
        ["kind", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors",
         "raw SQL p50 ms", "raw SQL p95 ms"],
        rows,
    )  # fmt: skip
    fives = sum(n for key, n in errors.items() if key.split()[-1].startswith("5"))
    print(f"total: {total} requests, {total / elapsed:.1f} req/s; 5xx: {fives}; "
          f"errors by status: {dict(errors) or 'none'}")  # fmt: skip
    if url:
        others = ", ".join(
            f"{name} {n}" for name, n in peaks.items() if name != "platekeeper-serve"
        )
        print(
            f"peak PostgreSQL connections: server {peaks['platekeeper-serve']} ({pools})"
            + (f"; the purge command and others: {others}" if others else "")
        )
    print(f"alert events received on the live feeds: {recorder.notes.get('alert events', '0')}")
    print(f"purge: {recorder.notes.get('purge', '')}")
    print("raw SQL: the same queries on the same database after the load, one at a time")


def _percentiles(times: list[float]) -> list[float | str]:
    if not times:
        return ["-", "-", "-"]
    if len(times) == 1:
        return [times[0]] * 3
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return [statistics.median(times), cuts[94], cuts[98]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--setup", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        print(json.dumps(setup(*args.setup)))
        return
    if args.baseline:
        print(json.dumps(baseline(json.loads(args.baseline), repeat=200)))
        return
    for label, url in _harness.databases():
        if args.database in (label.lower(), "both"):
            measure(label, url, args.clients, args.seconds, args.pool_size, args.workers)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()

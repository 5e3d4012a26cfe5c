"""Latency of plate search, canvass, multiple scenes and convoy on a large read table.

For each database (SQLite, and PostgreSQL when one answers) a fresh data dir is filled with N
reads spread evenly over the last 366 days by raw SQL (the real schema and every index, built
after the insert as a restore would): 100 fixed cameras on a 10 x 10 grid of 0.01 degree cells
around Piedmont, CA, each read at its camera's place; plates drawn from a pool of N/40, so a
plate is seen about 40 times a year. A planted pair (a target and a car 15 s behind it at 12
cameras) gives the convoy search something to find among the traffic.

Every lookup runs `--repeat` times at seeded random places and times, twice: through the
service layer (`reads.queries` / `investigations.queries`: the gate, the audit event, the exact
distance test, building results) and as the raw SQL that layer issues, so overhead and plan
quality both show. The plan column is the index the database chose for the raw SQL.

Partial and look-alike searches run over 24 hours and over 31 days (the widest window
allowed); on PostgreSQL they are narrowed by the trigram indexes (`reads.plate_index`).

`--sizes 1M,10M,30M` measures each size in its own fresh fill and prints one table per size
and then the curve: exact, canvass and partial p95 (service and raw SQL) against history, so
whether they stay flat as the year grows can be read in one place. On PostgreSQL each size also
reports the planning and execution time of the exact-plate search over all history
(`EXPLAIN (ANALYZE, SUMMARY)`), planned afresh and as a prepared statement's generic plan.

Usage: python benchmarks/search.py [--reads N | --sizes N,N,...] [--repeat R] [--postgres-only]
(default 1M reads, so `make bench` stays short; `--reads 10M` is a large agency's year: both
databases fill and measure it in about ten minutes on two quiet cores.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time
from collections.abc import Callable

import _harness

DAYS = 366
GRID = 10  # cameras on a GRID x GRID lattice of cells
ORIGIN = (37.725, -122.335)  # the south-west camera; one camera per 0.01 degree cell
PLATES_PER_READ = 40
FOLLOW_SECONDS = 15
#: The lookups the scaling curve follows across sizes.
CURVE = (
    "exact plate (newest 50)",
    "canvass 500 m x 24 h (page)",
    "partial plate ??3 known, 31 d",
    "look-alike plate, 31 d",
)
PLAN_RUNS = 7


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=_harness.count, default=1_000_000, help="reads a year")
    parser.add_argument("--sizes", default="", help="comma-separated sizes (1M,10M,30M): a curve")
    parser.add_argument("--repeat", type=int, default=30, help="runs of each lookup")
    parser.add_argument("--postgres-only", action="store_true", help="skip SQLite")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_work(args.reads, args.repeat)))
        return
    sizes = _harness.counts(args.sizes) or [args.reads]
    curve, planning = [], []
    for reads in sizes:
        rows = []
        for label, url in _harness.databases():
            if args.postgres_only and url is None:
                continue
            result = _harness.run_worker(
                __file__, url, "--reads", str(reads), "--repeat", str(args.repeat)
            )
            print(f"({label}: {result['fill_s']:.0f} s to fill {reads:,} reads)", flush=True)
            for name, timing in result["timings"].items():
                rows.append(
                    [label, name, timing["rows"], timing["service_p50"], timing["service_p95"],
                     timing["sql_p50"], timing["sql_p95"], timing["plan"]]
                )  # fmt: skip
                if name in CURVE:
                    curve.append([label, name, reads, timing["service_p95"], timing["sql_p95"]])
            if "planning" in result:
                planning.append([label, reads, *result["planning"].values()])
        _harness.print_table(
            f"Investigations on {reads:,} reads a year: milliseconds, p50 and p95 of "
            f"{args.repeat} runs",
            ["database", "lookup", "rows", "service p50", "service p95", "SQL p50", "SQL p95",
             "plan"],
            rows,
        )  # fmt: skip
    curve.sort(key=lambda row: (row[0], CURVE.index(row[1]), row[2]))
    _harness.print_table(
        "The scaling curve: p95 in ms against reads a year (service, and the raw SQL baseline)",
        ["database", "lookup", "reads/year", "service p95", "SQL p95"],
        curve,
    )
    if planning:
        _harness.print_table(
            "Exact plate over all history on PostgreSQL: ms, median of "
            f"{PLAN_RUNS} EXPLAIN (ANALYZE, SUMMARY) runs",
            ["database", "reads/year", "partitions", "planning", "execution",
             "generic plan: planning", "generic plan: execution"],
            planning,
        )  # fmt: skip


# --- The worker: runs inside the isolated environment, with Django ----------------------


def _work(reads: int, repeat: int) -> dict:
    from platekeeper.cli.django_setup import setup_django

    setup_django()
    from django.db import connection

    from platekeeper.server.access.actions import create_user, record_training
    from platekeeper.server.access.gate import Justification, Requester
    from platekeeper.server.access.models import User
    from platekeeper.server.access.roles import Role
    from tests.support.approvals import hold_nothing

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(days=DAYS)
    started = time.perf_counter()
    cameras = fill_year(connection, reads, now)
    fill_s = time.perf_counter() - started
    target_day = now - dt.timedelta(days=3)
    _plant_convoy(cameras, target_day)
    with connection.cursor() as cursor:  # statistics as a live database would have them
        cursor.execute("ANALYZE")

    setup = Requester.system("bench")
    password = "Quartz-Harbor-Lantern-4711"  # noqa: S105 - a throwaway database's only user
    create_user("bench", role=Role.INVESTIGATOR, password=password, requester=setup)
    record_training("bench", completed_on=now.date() - dt.timedelta(days=10), requester=setup)
    # The partial, look-alike and wide lookups are broad queries: lifted thresholds let them run
    # here without a second person (what is measured is the query, not the approval).
    hold_nothing()
    who = Requester(User.objects.get(username="bench"), channel="api")
    case = Justification(purpose="crime_scene_canvass", case_number="BENCH-1")
    lookups = _lookups(who, case, reads, start, now, cameras, target_day)
    timings = {}
    for name, (service, raw, plan_sql) in lookups.items():
        rng = random.Random(name)
        service_ms, sql_ms, rows = [], [], 0
        for _ in range(repeat):
            seed = rng.random()
            began = time.perf_counter()
            rows = service(seed)
            service_ms.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            raw(seed)
            sql_ms.append((time.perf_counter() - began) * 1000)
        timings[name] = {
            "rows": rows,
            "service_p50": statistics.median(service_ms),
            "service_p95": _p95(service_ms),
            "sql_p50": statistics.median(sql_ms),
            "sql_p95": _p95(sql_ms),
            "plan": _plan(connection, *plan_sql(0.5)),
        }
    result = {"fill_s": fill_s, "timings": timings}
    if connection.vendor == "postgresql":
        sql, params = lookups["exact plate (newest 50)"][2](0.5)
        result["planning"] = _planning(connection, sql, params)
    return result


def _planning(connection, sql: str, params: list) -> dict[str, float]:
    """Planning and execution ms of the exact-plate statement, planned afresh each time (as
    a client-side-bound query is) and as a prepared statement's generic plan (planned once
    per connection), with the number of partitions it spans."""
    from platekeeper.server.reads import partitions

    def explain(statement: str, values: list) -> tuple[float, float]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, SUMMARY, FORMAT JSON) " + statement, values)
            plan = cursor.fetchone()[0][0]
        return plan["Planning Time"], plan["Execution Time"]

    def median(runs: list[tuple[float, float]], which: int) -> float:
        return statistics.median(run[which] for run in runs)

    fresh = [explain(sql, params) for _ in range(PLAN_RUNS)]
    with connection.cursor() as cursor:
        cursor.execute("PREPARE bench_plate (text) AS " + sql.replace("%s", "$1"))
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        generic = [explain("EXECUTE bench_plate (%s)", params) for _ in range(PLAN_RUNS)]
        cursor.execute("RESET plan_cache_mode")
        cursor.execute("DEALLOCATE bench_plate")
    return {
        "partitions": len(partitions.partitions(connection)),
        "planning": median(fresh, 0),
        "execution": median(fresh, 1),
        "generic planning": median(generic[1:], 0),  # the first run builds the plan
        "generic execution": median(generic[1:], 1),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def fill_year(connection, reads: int, now: dt.datetime) -> list[tuple[int, float, float, int]]:
    """Fill the reads table with `reads` reads over the DAYS before `now` at GRID x GRID new
    cameras (this benchmark's history; the ingest benchmark's too) and return the cameras."""
    cameras = _cameras()
    _fill(connection, reads, now - dt.timedelta(days=DAYS), cameras)
    return cameras


def _cameras() -> list[tuple[int, float, float, int]]:
    """GRID x GRID fixed cameras, one per cell: (id, latitude, longitude, geocell)."""
    from platekeeper.geo import geocell
    from platekeeper.server.cameras.models import Camera

    first = Camera.objects.get()
    Camera.objects.bulk_create(
        Camera(
            name=f"Bench {row}-{col}",
            latitude=ORIGIN[0] + 0.01 * row,
            longitude=ORIGIN[1] + 0.01 * col,
            agency=first.agency,
        )
        for row in range(GRID)
        for col in range(GRID)
    )
    return [
        (c.id, c.latitude, c.longitude, geocell(c.latitude, c.longitude))
        for c in Camera.objects.filter(name__contains="-").order_by("id")
    ]


def _fill(connection, reads: int, start: dt.datetime, cameras: list) -> None:
    """Insert the year with secondary indexes dropped, then build them (as a restore would)."""
    step = DAYS * 86_400 / reads
    pool = max(reads // PLATES_PER_READ, 1)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_cam (k INTEGER PRIMARY KEY, id INTEGER, "
                       "lat DOUBLE PRECISION, lon DOUBLE PRECISION, cell BIGINT)")  # fmt: skip
        cursor.executemany(
            "INSERT INTO bench_cam VALUES (%s, %s, %s, %s, %s)",
            [(k, *camera) for k, camera in enumerate(cameras)],
        )
        count = len(cameras)
    with _harness.reads_bulk_load(
        connection, (start.date(), (start + dt.timedelta(days=DAYS)).date())
    ) as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state,
                    confidence, candidates, captured_at, received_at, latitude, longitude,
                    geocell, vehicle_make, vehicle_color, vehicle_type)
                SELECT gen_random_uuid(), c.id, 'api', g.p, g.p, 'CA', 0.9, '[]', g.t, g.t,
                    c.lat, c.lon, c.cell, '', '', ''
                FROM (SELECT n, upper(lpad(to_hex((n * 2654435761) %% %s), 7, '0')) AS p,
                             %s + n * make_interval(secs => %s) AS t
                      FROM generate_series(0::bigint, %s - 1) AS n) AS g
                JOIN bench_cam AS c ON c.k = (g.n * 7919) %% %s
                """,
                [pool, start, step, reads, count],
            )
        else:
            cursor.execute(
                """
                WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
                INSERT INTO reads_read (id, camera_id, source, plate, plate_normalized, state,
                    confidence, candidates, captured_at, received_at, latitude, longitude,
                    geocell, vehicle_make, vehicle_color, vehicle_type)
                SELECT lower(hex(randomblob(16))), c.id, 'api', g.p, g.p, 'CA', 0.9, '[]',
                    g.t, g.t, c.lat, c.lon, c.cell, '', '', ''
                FROM (SELECT n, printf('%%07X', (n * 2654435761) %% %s) AS p,
                             strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s + n * %s, 'unixepoch') AS t
                      FROM seq) AS g
                JOIN bench_cam AS c ON c.k = (g.n * 7919) %% %s
                """,
                [reads - 1, pool, start.timestamp(), step, count],
            )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_cam")


def _plant_convoy(cameras: list, day: dt.datetime) -> None:
    """1TARGET passes 12 cameras in a day, 2FOLLOW 15 s behind it each time."""
    from platekeeper.server.cameras.models import Camera
    from platekeeper.server.reads.actions import record_reads

    for number, (camera_id, lat, lon, _) in enumerate(cameras[::8][:12]):
        moment = day + dt.timedelta(minutes=37 * number)
        items = [
            {"id": _uuid(), "plate": plate, "captured_at": (moment + lag).isoformat(),
             "latitude": lat, "longitude": lon, "state": "CA"}
            for plate, lag in (("1TARGET", dt.timedelta(0)),
                               ("2FOLLOW", dt.timedelta(seconds=FOLLOW_SECONDS)))
        ]  # fmt: skip
        result = record_reads(Camera.objects.get(pk=camera_id), items)
        assert not result.rejected, result.rejected  # noqa: S101 - a broken fill is fatal


def _uuid() -> str:
    import uuid

    return str(uuid.uuid4())


Lookup = tuple[Callable[[float], int], Callable[[float], None], Callable[[float], tuple]]


def _lookups(who, case, reads, start, now, cameras, target_day) -> dict[str, Lookup]:
    """Each lookup: (service call -> rows, the same lookup as raw SQL, plan SQL), given a
    seed in [0, 1) that picks the place and time."""
    from django.db import connection

    from platekeeper.plates import lookalike_table
    from platekeeper.server.investigations import queries as inv
    from platekeeper.server.investigations.areas import Circle
    from platekeeper.server.reads.plate_index import LOOKALIKE_FROM, LOOKALIKE_TO
    from platekeeper.server.reads.queries import read_detail, search_plate

    pool = max(reads // PLATES_PER_READ, 1)
    span = (now - start - dt.timedelta(days=2)).total_seconds()

    def db_time(moment: dt.datetime):
        if connection.vendor == "postgresql":
            return moment
        return moment.replace(tzinfo=None).isoformat(" ")

    def plate(seed: float) -> str:
        return f"{int(seed * pool):07X}"

    def moment(seed: float) -> dt.datetime:
        return start + dt.timedelta(days=1, seconds=seed * span)

    def place(seed: float, radius: float) -> Circle:
        _, lat, lon, _ = cameras[int(seed * 7717) % len(cameras)]
        return Circle(lat + 0.002, lon - 0.001, radius)

    def window(seed: float, radius: float, hours: float) -> inv.Window:
        middle = moment(seed)
        half = dt.timedelta(hours=hours / 2)
        return inv.Window(place(seed, radius), middle - half, middle + half)

    def run(sql: str, params: list) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    def area_sql(w: inv.Window, order: str) -> tuple[str, list]:
        """One index range per cell, as investigations.queries issues it."""
        box = w.area.bounds()
        branch = (
            "SELECT id, captured_at, latitude, longitude FROM reads_read WHERE geocell = %s "
            "AND captured_at >= %s AND captured_at <= %s AND latitude >= %s AND latitude <= %s "
            "AND longitude >= %s AND longitude <= %s"
        )
        cells = w.area.cells()
        params = []
        for cell in cells:
            params += [cell, db_time(w.start), db_time(w.end)]
            params += [box.min_lat, box.max_lat, box.min_lon, box.max_lon]
        return " UNION ALL ".join([branch] * len(cells)) + order, params

    def plate_sql(seed: float) -> tuple[str, list]:
        return (
            "SELECT r.id, r.captured_at, c.name FROM reads_read r JOIN cameras_camera c "
            "ON c.id = r.camera_id WHERE r.plate_normalized = %s "
            "ORDER BY r.captured_at DESC, r.id DESC LIMIT 51",
            [plate(seed)],
        )

    def day_scan_sql(seed: float, days: int = 1) -> tuple[str, list]:
        end = moment(seed)
        return (
            "SELECT id, plate_normalized FROM reads_read WHERE captured_at >= %s AND "
            "captured_at <= %s ORDER BY captured_at DESC, id DESC",
            [db_time(end - dt.timedelta(days=days)), db_time(end)],
        )

    known = []  # reads spread over the year, for the lookups by id
    with connection.cursor() as cursor:
        for n in range(64):
            cursor.execute(
                "SELECT id, captured_at FROM reads_read WHERE captured_at >= %s "
                "ORDER BY captured_at LIMIT 1",
                [db_time(moment(n / 64))],
            )
            known.append(cursor.fetchone())

    def by_id_sql(seed: float) -> tuple[str, list]:
        """The read by its id and its capture time (which PostgreSQL's key table gives)."""
        read_id, captured_at = known[int(seed * len(known))]
        return "SELECT * FROM reads_read WHERE id = %s AND captured_at = %s", [read_id, captured_at]

    def by_id_raw(seed: float) -> None:
        read_id, _ = known[int(seed * len(known))]
        if connection.vendor == "postgresql":
            run("SELECT captured_at FROM reads_readkey WHERE id = %s", [read_id])
        run(*by_id_sql(seed))

    def canvass(radius: float, hours: float) -> Lookup:
        def service(seed: float) -> int:
            return len(inv.canvass(who, case, window(seed, radius, hours)).results)

        def plan(seed: float) -> tuple[str, list]:
            return area_sql(window(seed, radius, hours), "")

        return service, lambda seed: run(*plan(seed)), plan

    def grouped(radius: float, hours: float) -> Lookup:
        def service(seed: float) -> int:
            return inv.canvass_by_plate(who, case, window(seed, radius, hours)).total_reads

        def plan(seed: float) -> tuple[str, list]:
            return area_sql(window(seed, radius, hours), "")

        return service, lambda seed: run(*plan(seed)), plan

    def scenes(seed: float) -> inv.Scenes:
        return inv.Scenes(tuple(window(seed + n / 7, 500, 2) for n in range(3)), 2)

    def scenes_raw(seed: float) -> None:
        for w in scenes(seed).windows:
            run(*area_sql(w, ""))

    convoy_search = inv.ConvoySearch(
        "1TARGET", target_day - dt.timedelta(hours=1), target_day + dt.timedelta(days=1)
    )

    def convoy_sql(seed: float) -> tuple[str, list]:
        """The target's reads, then one (camera, time) range per target read, ORed."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, camera_id, captured_at FROM reads_read WHERE plate_normalized = %s "
                "AND captured_at >= %s AND captured_at <= %s ORDER BY captured_at",
                ["1TARGET", db_time(convoy_search.start), db_time(convoy_search.end)],
            )
            targets = cursor.fetchall()
        gap = dt.timedelta(seconds=60)
        ranges, params = [], []
        for _, camera, seen in targets:
            seen = seen if isinstance(seen, dt.datetime) else dt.datetime.fromisoformat(seen)
            ranges.append("(camera_id = %s AND captured_at >= %s AND captured_at <= %s)")
            params += [camera, db_time(seen - gap), db_time(seen + gap)]
        sql = (
            f"SELECT id, plate_normalized, camera_id, captured_at FROM reads_read "
            f"WHERE ({' OR '.join(ranges)}) AND NOT plate_normalized = %s"
        )
        return sql, [*params, "1TARGET"]

    def convoy_service(seed: float) -> int:
        found = inv.convoy(who, case, convoy_search)
        assert [c.plate for c in found.companions] == ["2FOLLOW"], found.companions  # noqa: S101
        return len(found.target_reads) + sum(len(c.reads) for c in found.companions)

    def partial(pattern: Callable[[str], str], lookalike: bool, days: int = 1) -> Lookup:
        def service(seed: float) -> int:
            end = moment(seed)
            page = search_plate(
                who, case, plate=pattern(plate(seed)), start=end - dt.timedelta(days=days),
                end=end, lookalike=lookalike,
            )  # fmt: skip
            return len(page.results)

        def narrowed_sql(seed: float) -> tuple[str, list]:
            """The window narrowed as `reads.plate_index` does it (PostgreSQL); SQLite scans."""
            if connection.vendor != "postgresql":
                return day_scan_sql(seed, days)
            end = moment(seed)
            text = pattern(plate(seed))
            column = "plate_normalized"
            if lookalike:
                text = text.translate(lookalike_table())
                column = f"translate(plate_normalized, '{LOOKALIKE_FROM}', '{LOOKALIKE_TO}')"
            regex = "^" + text.replace("?", ".").replace("*", ".*") + "$"
            return (
                f"SELECT id, plate_normalized FROM reads_read WHERE captured_at >= %s AND "
                f"captured_at <= %s AND {column} ~ %s ORDER BY captured_at DESC, id DESC",
                [end - dt.timedelta(days=days), end, regex],
            )

        return service, lambda seed: run(*narrowed_sql(seed)), narrowed_sql

    return {
        "exact plate (newest 50)": (
            lambda seed: len(search_plate(who, case, plate=plate(seed)).results),
            lambda seed: run(*plate_sql(seed)),
            plate_sql,
        ),
        "partial plate ??3 known, 24 h": partial(lambda p: "??" + p[2:5] + "*", False),
        "look-alike plate, 24 h": partial(lambda p: p, True),
        "partial plate ??3 known, 31 d": partial(lambda p: "??" + p[2:5] + "*", False, 31),
        "look-alike plate, 31 d": partial(lambda p: p, True, 31),
        "read by id (detail)": (
            lambda seed: int(bool(read_detail(who, case, str(known[int(seed * len(known))][0])))),
            by_id_raw,
            by_id_sql,
        ),
        "canvass 500 m x 1 h (page)": canvass(500, 1),
        "canvass 500 m x 2 h (page)": canvass(500, 2),
        "canvass 500 m x 24 h (page)": canvass(500, 24),
        "canvass 500 m x 24 h by plate": grouped(500, 24),
        "canvass 2 km x 24 h by plate": grouped(2000, 24),
        "multiple scenes 3 x (500 m, 2 h)": (
            lambda seed: len(inv.multiple_scenes(who, case, scenes(seed))),
            scenes_raw,
            lambda seed: area_sql(scenes(seed).windows[0], ""),
        ),
        "convoy 1 day, 12 cameras": (
            convoy_service,
            lambda seed: run(*convoy_sql(seed)),
            convoy_sql,
        ),
    }


def _plan(connection, sql: str, params: list) -> str:
    """The index (or scan) the database chose for the statement; on PostgreSQL a day
    partition's index is named by the table's index it was made from."""
    import re

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            text = " ".join(row[0] for row in cursor.fetchall())
            for name in set(re.findall(r"(?:Index Scan using|Index Scan on) (\S+)", text)):
                cursor.execute(
                    "SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent "
                    "WHERE i.inhrelid = to_regclass(%s)",
                    [name],
                )
                parent = cursor.fetchone()
                text += f" {parent[0]}" if parent else ""
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            text = " ".join(str(row[-1]) for row in cursor.fetchall())
    for index in (
        "read_plate_trgm",
        "read_lookalike_trgm",
        "read_plate_time",
        "read_cell_time",
        "read_camera_time",
        "read_time",
    ):
        if index in text:
            return index
    return "SCAN" if "Seq Scan" in text or "SCAN reads_read" in text else text[:40]


if __name__ == "__main__":
    main()

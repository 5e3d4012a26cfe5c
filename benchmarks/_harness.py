"""What every benchmark shares: finding the repo, the databases to measure, printing tables."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: This checkout's code first, for this process and every child (the CLI that migrates a
#: benchmark's database, `serve`, the workers), whatever package the interpreter has installed:
#: otherwise a branch's new migrations would not be in the database its code is measured on.
CODE_PATH = [str(REPO / "src"), str(REPO)]
sys.path[:0] = [path for path in CODE_PATH if path not in sys.path]
os.environ["PYTHONPATH"] = os.pathsep.join(
    [*CODE_PATH, *filter(None, [os.environ.get("PYTHONPATH")])]
)

#: The PostgreSQL server to measure on. Only the server is taken from it: every run creates its
#: own database with a unique name (`tests.support.live.isolated_environment`) and drops it
#: afterwards, so two benchmarks (or two helpers) running at once never share one.
POSTGRES_URL = os.environ.get("PLATEKEEPER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/")


def databases() -> Iterator[tuple[str, str | None]]:
    """Yield (label, DATABASE_URL or None for SQLite) for each database reachable here."""
    from tests.support.postgres import postgres_unavailable_reason

    yield "SQLite", None
    reason = postgres_unavailable_reason(POSTGRES_URL + "postgres")
    if reason is None:
        yield "PostgreSQL", POSTGRES_URL + "postgres"
    else:
        print(f"(PostgreSQL skipped: {reason})")


def count(text: str) -> int:
    """A number of reads as given on the command line: `30000000`, `30M`, `500k`."""
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def counts(text: str) -> list[int]:
    """Comma-separated sizes (`1M,10M,30M`): the points of a scaling curve."""
    return [count(size) for size in text.split(",") if size.strip()]


def run_worker(script: str, url: str | None, *worker_args: str) -> dict:
    """Run `script --worker ARGS` in a fresh data dir (and, on PostgreSQL, a fresh database)
    holding one camera, and return the JSON its last line prints."""
    from tests.support.live import isolated_environment, run_cli

    with tempfile.TemporaryDirectory() as tmp, isolated_environment(Path(tmp), url) as env:
        added = run_cli(env, "camera", "add", "Bench 0", "--lat", "37.82", "--lon", "-122.23")
        if added.returncode != 0:
            raise SystemExit(added.stderr)
        return run_script(env, script, "--worker", *worker_args)


def run_script(env: dict[str, str], script: str, *args: str) -> dict:
    """Run `script ARGS` with Django's environment `env` and return the JSON its last line
    prints."""
    worker = subprocess.run(  # noqa: S603 - a benchmark script, fixed arguments
        [sys.executable, script, *args],
        env={**env, "PYTHONPATH": os.pathsep.join(CODE_PATH)},
        capture_output=True,
        text=True,
        check=False,
    )
    if worker.returncode != 0:
        raise SystemExit(worker.stderr)
    return json.loads(worker.stdout.strip().splitlines()[-1])


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print an aligned plain-text table."""
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


@contextlib.contextmanager
def reads_bulk_load(connection, days: tuple[dt.date, dt.date] | None = None) -> Iterator[object]:
    """Yield a cursor for filling `reads_read` fast: its indexes (and on PostgreSQL its primary
    key and other tables' foreign keys to it) are dropped first and rebuilt afterwards, as a
    restore from backup would.

    On PostgreSQL the table is partitioned by day: the partitions of `days` (first, last) are
    created first, the key triggers are off during the fill (session_replication_role) and the
    key table is filled from the reads in one statement afterwards.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from platekeeper.server.reads import partitions

            if days:
                day = days[0]
                while day <= days[1]:
                    partitions.ensure_partition(cursor, day)
                    day += dt.timedelta(days=1)
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes "
                "WHERE tablename = 'reads_read' AND indexname NOT LIKE '%%pkey'"
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'reads_read_pkey'"
            )
            primary_key = cursor.fetchone()[0]
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE confrelid = 'reads_read'::regclass"
            )
            links = cursor.fetchall()  # other tables' foreign keys to reads (unpartitioned)
            for table, name, _ in links:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("ALTER TABLE reads_read DROP CONSTRAINT reads_read_pkey")
            cursor.execute("SET session_replication_role = replica")
            yield cursor
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(f"ALTER TABLE reads_read ADD {primary_key}")
            for _, definition in indexes:
                # A partitioned table's index reads "ON ONLY": built as is, its partitions
                # would get none.
                cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
            for table, name, definition in links:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            if partitions.is_partitioned(cursor):
                cursor.execute(
                    f"INSERT INTO {partitions.KEYS} SELECT id, captured_at, plate_crop_id, "
                    "overview_id FROM reads_read ON CONFLICT DO NOTHING"
                )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE tbl_name = 'reads_read' "
                "AND type = 'index' AND sql IS NOT NULL"
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            # A big page cache for the fill only (random primary keys), then the default again.
            cursor.execute("PRAGMA cache_size = -1000000")
            yield cursor
            for _, definition in indexes:
                cursor.execute(definition)
            cursor.execute("PRAGMA cache_size = -2000")

"""Day partitions of the reads table on PostgreSQL (SQLite keeps one table).

`reads_read` is range-partitioned by `captured_at`, one partition per UTC day
(`reads_read_pYYYYMMDD`), plus the DEFAULT partition `reads_read_kept`: reads whose day has no
partition (an agent back after weeks offline, a day not prepared yet) and reads moved out of a
day before it was dropped because they must live longer (held, alerted). A query on
`reads_read` sees them all; the purge can then drop a whole expired day at once.

A unique index on a partitioned table must contain the partition key, so `(id, captured_at)` is
the primary key there, and the global uniqueness of a read id (a resend is a duplicate, even one
whose clock moved it across midnight) comes from the key table `reads_readkey`: a trigger
claims the id there before each insert and skips the row when it is taken; another gives it
back when a read is deleted. Links to a read (alerts, corrections) are foreign keys to the key
table, which a partitioned table's id cannot be. The key table also carries each read's image
digests (kept in step by a third trigger) with the foreign keys to `reads_image`: whether an
image is still used is then one index lookup, instead of one per day partition.

Moving rows between partitions (conversion, keeping reads past their day) sets
`platekeeper.moving_reads` for the transaction so the triggers leave the keys alone.

An exact-plate search over all history cannot be pruned to a few days, so PostgreSQL would
plan it over every partition on each search (about 150 ms for a year's 382 partitions, against
5 ms of execution: `benchmarks/search.py` prints both). It therefore runs through the function
`reads_exact_plate` (`reads/0005`, called by `reads.queries.search_plate`): PL/pgSQL prepares
its query once per session and, with `plan_cache_mode = force_generic_plan` set on the
function, keeps one generic plan, in which the optional window and the page cursor are
parameters, pruned when the executor starts rather than planned.

Every statement here is built from constants and dates, never from input (ruff S608).
"""
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import transaction

PARENT = "reads_read"
KEPT = "reads_read_kept"
KEYS = "reads_readkey"
#: The unpartitioned table while a conversion is under way (resumable: rerun `migrate`).
OLD = "reads_read_unpartitioned"
PREFIX = "reads_read_p"
#: Days ahead that `prepare` creates partitions for (the daily job keeps this many ready).
DAYS_AHEAD = 14
#: Set while reads move between partitions: the key triggers stand aside (the keys stay).
_MOVING = "SET LOCAL platekeeper.moving_reads = '{}'"


@contextlib.contextmanager
def moving_reads(cursor) -> Iterator[None]:
    """Let the statements inside move reads between partitions with the key triggers standing
    aside, and no others: SET LOCAL lasts to the end of the transaction, which may enclose far
    more than the move (a caller's, a test's), and later deletes there must remove their keys.
    On an error the savepoint or transaction rolls the setting back with the move."""
    cursor.execute(_MOVING.format("on"))
    yield
    cursor.execute(_MOVING.format("off"))


_TRIGGERS = f"""
CREATE OR REPLACE FUNCTION reads_read_claim_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('platekeeper.moving_reads', true) = 'on' THEN
        RETURN NEW;
    END IF;
    INSERT INTO {KEYS} (id, captured_at, plate_crop_id, overview_id)
        VALUES (NEW.id, NEW.captured_at, NEW.plate_crop_id, NEW.overview_id)
        ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN NULL;  -- the id is stored already: a duplicate, skipped like ON CONFLICT
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE FUNCTION reads_read_release_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('platekeeper.moving_reads', true) IS DISTINCT FROM 'on' THEN
        DELETE FROM {KEYS} WHERE id = OLD.id;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION reads_read_follow_images() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('platekeeper.moving_reads', true) IS DISTINCT FROM 'on' THEN
        UPDATE {KEYS} SET plate_crop_id = NEW.plate_crop_id, overview_id = NEW.overview_id
            WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS reads_read_follow_images ON {PARENT};
CREATE TRIGGER reads_read_follow_images AFTER UPDATE OF plate_crop_id, overview_id ON {PARENT}
    FOR EACH ROW EXECUTE FUNCTION reads_read_follow_images();
DROP TRIGGER IF EXISTS reads_read_claim_key ON {PARENT};
CREATE TRIGGER reads_read_claim_key BEFORE INSERT ON {PARENT}
    FOR EACH ROW EXECUTE FUNCTION reads_read_claim_key();
DROP TRIGGER IF EXISTS reads_read_release_key ON {PARENT};
CREATE TRIGGER reads_read_release_key AFTER DELETE ON {PARENT}
    FOR EACH ROW EXECUTE FUNCTION reads_read_release_key();
"""

EXACT_PLATE = "reads_exact_plate"
#: Every read of the plate within the optional window, after the optional cursor (time, id),
#: newest first: the ORM's exact-plate query, planned once per session.
CREATE_EXACT_PLATE = f"""
CREATE OR REPLACE FUNCTION {EXACT_PLATE}(
    p_plate text, p_start timestamptz, p_end timestamptz,
    p_after_at timestamptz, p_after_id uuid, p_limit integer
) RETURNS SETOF {PARENT}
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT r.* FROM {PARENT} r
    WHERE r.plate_normalized = p_plate
      AND r.captured_at >= coalesce(p_start, '-infinity')
      AND r.captured_at <= least(coalesce(p_end, 'infinity'), coalesce(p_after_at, 'infinity'))
      AND (p_after_at IS NULL OR r.captured_at < p_after_at
           OR (r.captured_at = p_after_at AND r.id < p_after_id))
    ORDER BY r.captured_at DESC, r.id DESC
    LIMIT p_limit;
END $$;
"""
DROP_EXACT_PLATE = (
    f"DROP FUNCTION IF EXISTS {EXACT_PLATE}"
    "(text, timestamptz, timestamptz, timestamptz, uuid, integer)"
)


@dataclass(frozen=True)
class Partition:
    """One partition of the reads table: a day, or the kept (DEFAULT) partition (day None)."""

    name: str
    day: dt.date | None
    rows: int
    bytes: int


def partition_name(day: dt.date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def is_partitioned(cursor) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
        [PARENT],
    )
    return cursor.fetchone()[0]


def _exists(cursor, table: str) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    return cursor.fetchone()[0]


_IMAGE_COLUMNS = re.compile(r"\((plate_crop_id|overview_id)\b")


# --- Converting (a new install converts its empty table the same way) -------------------


def convert(connection, progress: Callable[[str], None] = lambda _: None) -> None:
    """Turn an unpartitioned `reads_read` into day partitions; safe to interrupt and rerun.

    Step 1 (one transaction) renames the table, fills the key table from it, points the links
    of other tables at the key table and creates the partitioned table with the same columns,
    indexes and foreign keys. Step 2 moves one day per transaction (its partition created, its
    rows copied and deleted from the old table), so a kill loses at most the day in flight,
    which the next run moves again. Step 3 drops the emptied old table.
    """
    with connection.cursor() as cursor:
        if not is_partitioned(cursor):
            with transaction.atomic(using=connection.alias):
                _start_conversion(cursor)
            progress("reads: partitioned table created; moving days")
        moved = 0
        while _exists(cursor, OLD):
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"SELECT min(captured_at) FROM {OLD}")
                first = cursor.fetchone()[0]
                if first is None:
                    cursor.execute(f"DROP TABLE {OLD}")
                    break
                day = first.astimezone(dt.UTC).date()
                ensure_partition(cursor, day)
                start, end = day_bounds(day)
                with moving_reads(cursor):
                    cursor.execute(
                        f"WITH gone AS (DELETE FROM {OLD} WHERE captured_at >= %s AND "
                        f"captured_at < %s RETURNING *) INSERT INTO {PARENT} SELECT * FROM gone",
                        [start, end],
                    )
                moved += cursor.rowcount
            progress(f"reads: {day} moved ({moved} rows so far)")
        with transaction.atomic(using=connection.alias):
            cursor.execute(_TRIGGERS)
            today = dt.datetime.now(dt.UTC).date()
            for offset in range(-1, DAYS_AHEAD + 1):
                ensure_partition(cursor, today + dt.timedelta(days=offset))


def _start_conversion(cursor) -> None:
    cursor.execute(f"ALTER TABLE {PARENT} RENAME TO {OLD}")
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {KEYS} (id uuid PRIMARY KEY, captured_at timestamptz "
        "NOT NULL, plate_crop_id varchar(64), overview_id varchar(64))"
    )
    for column in ("captured_at", "plate_crop_id", "overview_id"):
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {KEYS}_{column} ON {KEYS} ({column})")
    cursor.execute(
        f"INSERT INTO {KEYS} SELECT id, captured_at, plate_crop_id, overview_id FROM {OLD} "
        "ON CONFLICT DO NOTHING"
    )
    # Links from other tables (alerts, corrections) now point at the key table.
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, a.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.contype = 'f' AND c.confrelid = %s::regclass",
        [OLD],
    )
    for table, name, column in cursor.fetchall():
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) '
            f"REFERENCES {KEYS} (id) DEFERRABLE INITIALLY DEFERRED"
        )
    # The same columns, indexes (by their names) and outgoing foreign keys, partitioned.
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
        [OLD, f"{PARENT}_pkey"],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = %s::regclass",
        [OLD],
    )
    outgoing = cursor.fetchall()
    cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {PARENT}_pkey TO {OLD}_pkey")
    for name, _ in indexes:
        cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{name}_unpartitioned"')
    cursor.execute(
        f"CREATE TABLE {PARENT} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (captured_at)"
    )
    cursor.execute(
        f"ALTER TABLE {PARENT} ADD CONSTRAINT {PARENT}_pkey PRIMARY KEY (id, captured_at)"
    )
    for _, definition in indexes:
        if not _IMAGE_COLUMNS.search(definition):  # the key table answers for images
            cursor.execute(definition.replace(f" ON public.{OLD} ", f" ON public.{PARENT} "))
    for name, definition in outgoing:
        table = KEYS if _IMAGE_COLUMNS.search(definition) else PARENT
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.execute(f"CREATE TABLE {KEPT} PARTITION OF {PARENT} DEFAULT")
    cursor.execute(_TRIGGERS)


# --- Day partitions ------------------------------------------------------------------------


def ensure_partition(cursor, day: dt.date) -> bool:
    """Create the partition of `day` unless it exists; return whether it was created.

    Reads of that day already in the kept partition (it arrived before its partition) move
    into the new one first, since PostgreSQL refuses a partition whose rows sit in the default.
    """
    name = partition_name(day)
    if _exists(cursor, name):
        return False
    start, end = day_bounds(day)
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {KEPT} WHERE captured_at >= %s AND captured_at < %s)",
        [start, end],
    )
    if not cursor.fetchone()[0]:
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF {PARENT} FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
        return True
    cursor.execute(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    with moving_reads(cursor):
        cursor.execute(
            f"WITH gone AS (DELETE FROM {KEPT} WHERE captured_at >= %s AND captured_at < %s "
            f"RETURNING *) INSERT INTO {name} SELECT * FROM gone",
            [start, end],
        )
    cursor.execute(
        f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end]
    )
    return True


def prepare(connection, *, days_ahead: int = DAYS_AHEAD, today: dt.date | None = None) -> list[str]:
    """Create the partitions from yesterday to `days_ahead` days from today; return new names."""
    today = today or dt.datetime.now(dt.UTC).date()
    created = []
    with connection.cursor() as cursor:
        for offset in range(-1, days_ahead + 1):
            day = today + dt.timedelta(days=offset)
            with transaction.atomic(using=connection.alias):
                if ensure_partition(cursor, day):
                    created.append(partition_name(day))
    return created


def prepare_days_ahead() -> list[str]:
    """The daily job of `serve`: keep DAYS_AHEAD days of partitions ready (PostgreSQL only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    return prepare(connection)


def partitions(connection) -> list[Partition]:
    """Every partition, oldest day first and the kept partition last, with estimated rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname",
            [PARENT],
        )
        rows = cursor.fetchall()
    found = [Partition(name, _day_of(name), count, size) for name, count, size in rows]
    return sorted(found, key=lambda p: (p.day is None, p.day or dt.date.min))


def day_partitions_before(connection, cutoff: dt.datetime) -> Iterator[dt.date]:
    """The days whose whole partition lies before `cutoff`, oldest first. Names only: the
    sizes `partitions` reports cost a file lookup per partition (0.4 s for a year's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [PARENT],
        )
        days = sorted(day for (name,) in cursor.fetchall() if (day := _day_of(name)))
    for day in days:
        if day_bounds(day)[1] <= cutoff:
            yield day


def _day_of(name: str) -> dt.date | None:
    if not name.startswith(PREFIX):
        return None
    return dt.datetime.strptime(name.removeprefix(PREFIX), "%Y%m%d").date()  # noqa: DTZ007

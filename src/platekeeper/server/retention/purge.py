"""The purge: what is past its retention period leaves the database, audited once per run.

On PostgreSQL, each day partition wholly past the reads period is dropped in one transaction:
its held reads and the alerted reads still within their longer period move to the kept
partition first, the links of the rest go, their images are listed as released, then the
partition itself goes (see `reads.partitions`); the dropped reads' keys and the released
images no read uses any more follow in batches after that commit. What is left (the boundary
day, the kept partition, and every read on SQLite) is deleted in bounded batches, each its own
transaction: expired, unheld reads (oldest first, on the `read_time` index), then the image
rows no read refers to any more. Files are deleted only after their transaction commits, so a
kill at any moment can leave an orphaned file (swept by the next run) but never a read
pointing at a missing image.

The SQL built here names tables from constants, dates and model metadata, never from input
(ruff S608/S611 are silenced for that reason).
"""
# ruff: noqa: S608, S611

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypedDict

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, ForeignObjectRel, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize, record_change
from platekeeper.server.access.roles import Permission
from platekeeper.server.reads import partitions
from platekeeper.server.reads.models import Image, Read, ReadKey
from platekeeper.server.reads.queries import keys_filter
from platekeeper.server.retention import files
from platekeeper.server.retention.actions import RetentionError, lock_against_purge
from platekeeper.server.retention.models import PurgeRun, ReleasedImage, RetentionSettings
from platekeeper.server.retention.queries import current_settings, held_read_ids

#: Session-level advisory lock: one purge at a time across every server on the database.
_PURGE_LOCK = 438_040
DEFAULT_BATCH = 5000
ORPHAN_GRACE = dt.timedelta(hours=6)
#: How Django's delete counts name hotlist entries in `PurgeRun.also_deleted`.
_ENTRY_LABEL = "hotlists.HotlistEntry"


@dataclass(frozen=True)
class PurgeProgress:
    """What the purge just did, for progress bars: `phase` is "days" (partitions dropped),
    "reads", "images", "hotlist-entries" or "orphans"."""

    phase: str
    done: int
    total: int | None
    committed: int = 0


class DroppedDay(TypedDict):
    """What the run and its audit record say of one day partition the purge dropped."""

    partition: str
    day: str
    rows: int
    moved: int
    images_released: int


@dataclass
class PurgeReport:
    """What one purge run removed (or, on a dry run, would remove)."""

    dry_run: bool
    reads_cutoff: dt.datetime
    images_cutoff: dt.datetime
    reads_deleted: int = 0
    also_deleted: dict[str, int] = field(default_factory=dict)
    images_detached: int = 0
    images_deleted: int = 0
    files_deleted: int = 0
    orphan_files_deleted: int = 0
    hotlist_entries_deleted: int = 0
    held_kept: int = 0
    interrupted_runs_audited: int = 0
    reads_per_day: dict[str, int] = field(default_factory=dict)
    dropped_partitions: list[DroppedDay] = field(default_factory=list)


Progress = Callable[[PurgeProgress], None]


def purge(
    *,
    requester: Requester,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    pause_after_commit: float = 0.0,
    orphan_grace: dt.timedelta = ORPHAN_GRACE,
) -> PurgeReport:
    """Purge expired, unheld reads and images, long-expired hotlist entries, then orphaned
    files; audit one record per run.

    Safe to interrupt anywhere and to run again: each batch commits alone (with the running
    totals of its run), a run killed part-way is audited by the next one, and files are removed
    only after their rows are gone. `pause_after_commit` exists for the crash test: it widens
    the moment between a batch's commit and the deletion of its files. The gate asks first
    (`MANAGE_RETENTION`; the daily job and the console as administrative changes), dry runs too.
    """
    authorize(
        requester,
        permission=Permission.MANAGE_RETENTION,
        justification=ADMINISTRATIVE,
        action="retention.purge",
        query={"dry_run": dry_run},
    )
    if batch_size < 1:
        raise RetentionError("batch size: must be at least 1")
    schedule = current_settings()
    now = timezone.now()
    reads_cutoff = _whole_days(now - dt.timedelta(days=schedule.reads_days))
    alerted_cutoff = _whole_days(
        now - dt.timedelta(days=max(schedule.alerted_reads_days, schedule.alerts_days))
    )
    images_cutoff = max(now - dt.timedelta(days=schedule.images_days), reads_cutoff)
    entries_cutoff = now - dt.timedelta(days=schedule.hotlist_entries_days)
    report = PurgeReport(dry_run=dry_run, reads_cutoff=reads_cutoff, images_cutoff=images_cutoff)
    report.held_kept = _held_expired_count(reads_cutoff)
    expired = _expired_reads(reads_cutoff, alerted_cutoff)
    if dry_run:
        report.reads_per_day = _expired_per_day(expired)
        report.reads_deleted = sum(report.reads_per_day.values())
        report.images_detached = _images_to_detach(schedule, reads_cutoff, images_cutoff).count()
        entries = _expired_hotlist_entries(entries_cutoff)
        report.hotlist_entries_deleted = entries.count() if entries is not None else 0
        return report
    notify = progress or (lambda _: None)
    with _one_purge_at_a_time():
        report.interrupted_runs_audited = _audit_unfinished_runs(requester)
        run = PurgeRun.objects.create(
            started_at=now,
            actor=requester.username,
            reads_cutoff=reads_cutoff,
            images_cutoff=images_cutoff,
        )
        _drop_expired_days(run, report, alerted_cutoff, batch_size, notify, pause_after_commit)
        total = sum(reads.count() for reads in expired)
        notify(PurgeProgress("reads", 0, total))
        for reads in expired:
            _purge_reads(run, report, reads, total, batch_size, notify, pause_after_commit)
        _detach_old_images(run, report, schedule, batch_size, notify, pause_after_commit)
        _purge_hotlist_entries(run, report, entries_cutoff, batch_size, notify)
        report.orphan_files_deleted = _sweep_orphans(now - orphan_grace, notify)
        with transaction.atomic():
            run.orphan_files_deleted = report.orphan_files_deleted
            run.finished_at = timezone.now()
            _audit_run(run, requester=requester, interrupted=False)
    return report


def daily_purge() -> PurgeReport:
    """The purge as `serve` runs it every day (see `platekeeper.server.scheduler`)."""
    return purge(requester=Requester.system("retention"))


def _whole_days(cutoff: dt.datetime) -> dt.datetime:
    """PostgreSQL purges reads by whole UTC days, so a day partition goes at once when its
    last read expires instead of being half deleted row by row the day before: the cutoff is
    rounded down to midnight (a read is kept at most a day past its period). SQLite's single
    table is purged to the moment."""
    if connection.vendor != "postgresql":
        return cutoff
    return cutoff.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _drop_expired_days(
    run: PurgeRun,
    report: PurgeReport,
    alerted_cutoff: dt.datetime,
    batch_size: int,
    notify: Progress,
    pause: float,
) -> None:
    """PostgreSQL: drop every day partition that lies wholly before the reads cutoff, oldest
    first, each in its own transaction with its counts on the run, then its images."""
    if connection.vendor != "postgresql":
        return
    _delete_what_dropped_days_left(run, report, batch_size, pause)  # by a killed run
    days = list(partitions.day_partitions_before(connection, run.reads_cutoff))
    notify(PurgeProgress("days", 0, len(days)))
    for done, day in enumerate(days, start=1):
        with transaction.atomic():
            lock_against_purge()
            dropped, cascaded = _drop_day(day, alerted_cutoff)
            run.reads_deleted += dropped["rows"]
            # An empty day's partition is named in `dropped_partitions`, not counted per day.
            per_day = {day.isoformat(): dropped["rows"]} if dropped["rows"] else {}
            run.reads_per_day = _merge(run.reads_per_day, per_day)
            run.also_deleted = _merge(run.also_deleted, cascaded)
            run.dropped_partitions = [*run.dropped_partitions, dropped]
            run.save(
                update_fields=[
                    "reads_deleted",
                    "reads_per_day",
                    "also_deleted",
                    "dropped_partitions",
                ]
            )
        report.reads_deleted += dropped["rows"]
        report.reads_per_day = _merge(report.reads_per_day, per_day)
        report.also_deleted = _merge(report.also_deleted, cascaded)
        report.dropped_partitions.append(dropped)
        notify(PurgeProgress("days", done, len(days), committed=dropped["rows"]))
        _delete_what_dropped_days_left(run, report, batch_size, pause)


def _drop_day(day: dt.date, alerted_cutoff: dt.datetime) -> tuple[DroppedDay, dict[str, int]]:
    """Detach the day's partition, move the reads that must stay into the kept partition,
    delete what links to the rest, list their images as released, then drop the partition.
    Returns what the audit record names and the cascaded counts; the caller's transaction
    holds it all together."""
    name = partitions.partition_name(day)
    held_sql, held_params = held_read_ids().query.sql_with_params()
    keep, params = f"id IN ({held_sql})", list(held_params)
    alert_table = _alert_table()
    if alert_table:
        keep += (
            f" OR (captured_at >= %s AND EXISTS (SELECT 1 FROM {alert_table} a "
            f"WHERE a.read_id = p.id))"
        )
        params.append(alerted_cutoff)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {partitions.PARENT} DETACH PARTITION {name}")
        with partitions.moving_reads(cursor):
            cursor.execute(
                f"WITH kept AS (DELETE FROM {name} p WHERE {keep} RETURNING *) "
                f"INSERT INTO {partitions.PARENT} SELECT * FROM kept",
                params,
            )
            moved = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {name}")
        rows = cursor.fetchone()[0]
    cascaded = _delete_links(name)
    with connection.cursor() as cursor:
        # Deleting the reads' keys and image rows here would cost two deferred foreign-key
        # checks per row (for a day of a 10M-read year with a crop each, about 2-3 s) while
        # this transaction locks the reads table: the images are listed instead, and both go
        # after the commit (`_delete_what_dropped_days_left`).
        cursor.execute(
            f"INSERT INTO {ReleasedImage._meta.db_table} (sha256) "
            f"SELECT d FROM (SELECT plate_crop_id AS d FROM {name} "
            f"UNION SELECT overview_id FROM {name}) AS used WHERE d IS NOT NULL "
            f"ON CONFLICT DO NOTHING"
        )
        released = cursor.rowcount
        # Deferred checks queued on the partition (reads stored in this same transaction, as
        # in tests) must run before PostgreSQL lets it be dropped.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP TABLE {name}")
    dropped = DroppedDay(
        partition=name, day=day.isoformat(), rows=rows, moved=moved, images_released=released
    )
    return dropped, cascaded


def _delete_what_dropped_days_left(
    run: PurgeRun, report: PurgeReport, batch_size: int, pause: float
) -> None:
    """Delete, a committed batch at a time, the keys of reads that went with dropped day
    partitions, then the released images that no read uses any more (a kept read, or one
    stored since, may share the bytes), rows and then files. What a killed run left is found
    the same way: keys older than the reads cutoff whose read is gone, images still listed."""
    # The reads' side is bounded by the cutoff too, so PostgreSQL looks only in the kept
    # partition and the days before the cutoff (otherwise it hashed the whole table: 10 s).
    orphaned_keys = (
        f"DELETE FROM {partitions.KEYS} WHERE id IN (SELECT k.id FROM {partitions.KEYS} k "
        f"WHERE k.captured_at < %(cutoff)s AND NOT EXISTS (SELECT 1 FROM {partitions.PARENT} "
        f"r WHERE r.id = k.id AND r.captured_at = k.captured_at AND r.captured_at < %(cutoff)s)"
        f" LIMIT %(batch)s)"
    )
    deleted = batch_size
    while deleted == batch_size:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(orphaned_keys, {"cutoff": run.reads_cutoff, "batch": batch_size})
            deleted = cursor.rowcount
    while True:
        with transaction.atomic():
            batch = list(ReleasedImage.objects.values_list("sha256", flat=True)[:batch_size])
            if not batch:
                return
            gone = _delete_unreferenced_images(set(batch))
            ReleasedImage.objects.filter(sha256__in=batch).delete()
            run.images_deleted += len(gone)
            run.save(update_fields=["images_deleted"])
        report.images_deleted += len(gone)
        _after_commit(run, report, gone, pause)


def _alert_table() -> str | None:
    try:
        return apps.get_model("alerts", "Alert")._meta.db_table
    except LookupError:  # an installation without the alerts app
        return None


def _delete_links(table: str) -> dict[str, int]:
    """Delete, as the ORM would with the read, what links to the reads left in `table` (a
    detached partition): alerts (and their actions), corrections. Returns counts per model."""
    counts: Counter[str] = Counter()
    # Links declared with related_name="+" are hidden from `related_objects`, hence get_fields.
    relations = [
        field
        for field in Read._meta.get_fields(include_hidden=True)
        if isinstance(field, ForeignObjectRel)
        and field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
    ]
    for relation in relations:
        linked = relation.related_model._base_manager.filter(
            **{f"{relation.field.attname}__in": RawSQL(f"SELECT id FROM {table}", [])}
        )
        _, deleted = linked.delete()
        counts.update({label: n for label, n in deleted.items() if n})
    return dict(counts)


def _held() -> Q:
    return Q(id__in=held_read_ids())


def _expired_reads(reads_cutoff: dt.datetime, alerted_cutoff: dt.datetime) -> list:
    """The querysets of unheld reads past their period: plain reads, then alerted ones.

    A read that raised an alert is kept for the alerted-reads period (and the alerts period:
    an alert is deleted with its read, so the longer of the two applies).
    """
    unheld = Read.objects.exclude(_held())
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:  # an installation without the alerts app
        return [unheld.filter(captured_at__lt=reads_cutoff)]
    alerted = Exists(alert_model.objects.filter(read_id=OuterRef("pk")))
    return [
        unheld.filter(captured_at__lt=reads_cutoff).filter(~alerted),
        unheld.filter(captured_at__lt=alerted_cutoff).filter(alerted),
    ]


def _expired_per_day(expired: list) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for reads in expired:
        for captured in reads.values_list("captured_at", flat=True).iterator(chunk_size=5000):
            counts[_day(captured)] += 1
    return dict(sorted(counts.items()))


def _held_expired_count(cutoff: dt.datetime) -> int:
    return Read.objects.filter(captured_at__lt=cutoff).filter(_held()).count()


def _images_to_detach(schedule: RetentionSettings, reads_cutoff, images_cutoff):
    floor = max(schedule.images_purged_through or reads_cutoff, reads_cutoff)
    return (
        Read.objects.filter(captured_at__gte=floor, captured_at__lt=images_cutoff)
        .filter(Q(plate_crop__isnull=False) | Q(overview__isnull=False))
        .exclude(_held())
    )


def _purge_reads(
    run: PurgeRun,
    report: PurgeReport,
    expired,
    total: int,
    batch_size: int,
    notify: Progress,
    pause: float,
) -> None:
    """Delete expired, unheld reads oldest first, one committed batch at a time.

    The ORM delete honours what other apps declared on their links to a read: alerts and
    corrections go with it (counted in `also_deleted`), and a PROTECT link stops the purge.
    """
    floor: dt.datetime | None = None
    while True:
        with transaction.atomic():
            lock_against_purge()
            batch = expired if floor is None else expired.filter(captured_at__gte=floor)
            rows = list(
                batch.order_by("captured_at").values_list(
                    "id", "captured_at", "plate_crop_id", "overview_id"
                )[:batch_size]
            )
            if not rows:
                return
            _, deleted = Read.objects.filter(keys_filter(row[:2] for row in rows)).delete()
            cascaded = {label: n for label, n in deleted.items() if label != "reads.Read" and n}
            days = Counter(_day(row[1]) for row in rows)
            gone = _delete_unreferenced_images(_digests(rows))
            run.reads_deleted += len(rows)
            run.images_deleted += len(gone)
            run.reads_per_day = _merge(run.reads_per_day, days)
            run.also_deleted = _merge(run.also_deleted, cascaded)
            run.save(
                update_fields=["reads_deleted", "images_deleted", "reads_per_day", "also_deleted"]
            )
        floor = rows[-1][1]
        report.reads_deleted += len(rows)
        report.images_deleted += len(gone)
        report.reads_per_day = _merge(report.reads_per_day, days)
        report.also_deleted = _merge(report.also_deleted, cascaded)
        notify(PurgeProgress("reads", report.reads_deleted, total, committed=len(rows)))
        _after_commit(run, report, gone, pause)


def _detach_old_images(
    run: PurgeRun,
    report: PurgeReport,
    schedule: RetentionSettings,
    batch_size: int,
    notify: Progress,
    pause: float,
) -> None:
    """When images are kept for less time than reads, drop the images of older, unheld reads.

    Progress is kept in `images_purged_through` (committed with each batch), so each run scans
    only reads that aged past the image period since the last one. A hold released later does
    not bring its images back into this scan; they go with their reads.
    """
    if run.images_cutoff <= run.reads_cutoff:
        return
    pending = _images_to_detach(schedule, run.reads_cutoff, run.images_cutoff)
    total = pending.count()
    notify(PurgeProgress("images", 0, total))
    done = 0
    while True:
        with transaction.atomic():
            lock_against_purge()
            rows = list(
                pending.order_by("captured_at").values_list(
                    "id", "captured_at", "plate_crop_id", "overview_id"
                )[:batch_size]
            )
            watermark = rows[-1][1] if rows else run.images_cutoff
            if rows:
                Read.objects.filter(keys_filter(row[:2] for row in rows)).update(
                    plate_crop=None, overview=None
                )
            gone = _delete_unreferenced_images(_digests(rows))
            RetentionSettings.objects.filter(pk=schedule.pk).update(images_purged_through=watermark)
            run.images_detached += len(rows)
            run.images_deleted += len(gone)
            run.save(update_fields=["images_detached", "images_deleted"])
        if not rows:
            return
        pending = pending.filter(captured_at__gte=watermark)
        done += len(rows)
        report.images_detached += len(rows)
        report.images_deleted += len(gone)
        notify(PurgeProgress("images", done, total, committed=len(rows)))
        _after_commit(run, report, gone, pause)


def _expired_hotlist_entries(cutoff: dt.datetime):
    """Hotlist entries that expired before `cutoff`; None when there is no hotlists app.

    An entry without an expiry date stands until someone removes it, so it is never purged.
    """
    try:
        entry_model = apps.get_model("hotlists", "HotlistEntry")
    except LookupError:  # an installation without the hotlists app
        return None
    return entry_model.objects.filter(expires_at__lt=cutoff)


def _purge_hotlist_entries(
    run: PurgeRun, report: PurgeReport, cutoff: dt.datetime, batch_size: int, notify: Progress
) -> None:
    """Delete hotlist entries expired longer than their period, one committed batch at a time.

    Each batch changes the hotlist generation in its own transaction, so every process rebuilds
    its matcher from what is left; alerts keep their copy of the entry (their link is nulled).
    """
    expired = _expired_hotlist_entries(cutoff)
    if expired is None:
        return
    from platekeeper.server.hotlists.actions import bump_generation

    total = expired.count()
    notify(PurgeProgress("hotlist-entries", 0, total))
    while True:
        with transaction.atomic():
            ids = list(
                expired.order_by("expires_at", "id").values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return
            # Filtered again on the expiry, in case an entry was renewed since it was chosen.
            _, deleted = expired.filter(id__in=ids).delete()
            bump_generation()
            removed = {label: n for label, n in deleted.items() if n}
            run.also_deleted = _merge(run.also_deleted, removed)
            run.save(update_fields=["also_deleted"])
        report.hotlist_entries_deleted += removed.get(_ENTRY_LABEL, 0)
        report.also_deleted = _merge(report.also_deleted, removed)
        notify(
            PurgeProgress(
                "hotlist-entries", report.hotlist_entries_deleted, total, committed=len(ids)
            )
        )


def _digests(rows: Iterable[tuple]) -> set[str]:
    return {digest for row in rows for digest in (row[2], row[3]) if digest}


def _delete_unreferenced_images(candidates: set[str]) -> dict[str, str]:
    """Delete the image rows among `candidates` that no read refers to; return {digest: path}.

    The check is ours, one indexed query per column, in the same transaction; the database's
    foreign keys from reads to images are the second guard (a read still pointing at an image
    makes the commit fail). Django's collector is bypassed because its PROTECT check ORs both
    columns into one query, which SQLite answers by scanning the whole reads table.
    """
    if not candidates:
        return {}
    # PostgreSQL: the key table holds every read's digests in one index each, where the reads
    # table would need one lookup per day partition.
    table = ReadKey if connection.vendor == "postgresql" else Read
    still_used = set(
        table.objects.filter(plate_crop_id__in=candidates).values_list("plate_crop_id", flat=True)
    ) | set(table.objects.filter(overview_id__in=candidates).values_list("overview_id", flat=True))
    unused = candidates - still_used
    gone = dict(Image.objects.filter(sha256__in=unused).values_list("sha256", "path"))
    Image.objects.filter(sha256__in=list(gone))._raw_delete(connection.alias)
    return gone


def _after_commit(run: PurgeRun, report: PurgeReport, gone: dict[str, str], pause: float) -> None:
    """Delete the files of image rows that are gone for good (a new ingest may have re-added
    one of them since the commit: those stay)."""
    if pause:
        time.sleep(pause)
    readded = set(Image.objects.filter(sha256__in=list(gone)).values_list("sha256", flat=True))
    deleted = files.delete_files([path for digest, path in gone.items() if digest not in readded])
    report.files_deleted += deleted
    # Kept on `run` too: the run's final save writes every field back.
    run.files_deleted = report.files_deleted
    PurgeRun.objects.filter(pk=run.pk).update(files_deleted=report.files_deleted)


def _sweep_orphans(older_than: dt.datetime, notify: Progress) -> int:
    """Delete image files with no image row (left by a crash, or by a killed purge)."""
    deleted = 0
    notify(PurgeProgress("orphans", 0, None))
    for chunk in _chunks(files.stale_image_files(older_than), 500):
        rows = dict(
            Image.objects.filter(sha256__in=[stem for _, stem in chunk]).values_list(
                "sha256", "path"
            )
        )
        orphans = [path for path, stem in chunk if rows.get(stem) != path]
        deleted += files.delete_files(orphans)
        notify(PurgeProgress("orphans", deleted, None, committed=len(orphans)))
    return deleted


def _chunks(items: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    chunk: list[tuple[str, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _audit_unfinished_runs(requester: Requester) -> int:
    """Write the audit record of runs that were killed before writing their own."""
    unfinished = list(PurgeRun.objects.filter(audited=False).order_by("started_at"))
    for run in unfinished:
        with transaction.atomic():
            _audit_run(run, requester=requester, interrupted=True)
    return len(unfinished)


def _audit_run(run: PurgeRun, *, requester: Requester, interrupted: bool) -> None:
    run.audited = True
    run.save()
    record_change(
        requester,
        ADMINISTRATIVE,
        action="retention.purge",
        reason="interrupted run, audited by the next one" if interrupted else "",
        query={
            "run": run.pk,
            "interrupted": interrupted,
            "started_at": run.started_at.isoformat(),
            "reads_cutoff": run.reads_cutoff.isoformat(),
            "images_cutoff": run.images_cutoff.isoformat(),
            "reads_per_day": run.reads_per_day,
            "dropped_partitions": run.dropped_partitions,
            "also_deleted": run.also_deleted,
            "hotlist_entries_deleted": run.also_deleted.get(_ENTRY_LABEL, 0),
            "images_detached": run.images_detached,
            "images_deleted": run.images_deleted,
            "files_deleted": run.files_deleted,
            "orphan_files_deleted": run.orphan_files_deleted,
        },
        record_count=run.reads_deleted,
    )


@contextlib.contextmanager
def _one_purge_at_a_time() -> Iterator[None]:
    """Refuse to start while another purge runs (same data dir, or same PostgreSQL database)."""
    with files.exclusive_file_lock("purge.lock") as mine:
        if not mine:
            raise RetentionError("another purge is running; try again when it has finished")
        if connection.vendor != "postgresql":
            yield
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_PURGE_LOCK])
            if not cursor.fetchone()[0]:
                raise RetentionError("another purge is running on this database")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_PURGE_LOCK])


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).date().isoformat()


def _merge(totals: Mapping[str, int], more: Mapping[str, int]) -> dict[str, int]:
    merged = Counter(totals)
    merged.update(more)
    return dict(sorted(merged.items()))

"""Every change the retention app makes: the schedule, evidence holds and the purge, all audited.

The purge deletes in bounded batches, each its own transaction: expired, unheld reads (oldest
first, on the `read_time` index), then the image rows no read refers to any more. Files are
deleted only after the batch commits, so a kill at any moment can leave an orphaned file (swept
by the next run) but never a read pointing at a missing image.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.plates import InvalidPlate, normalize_plate
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.gate import (
    Gated,
    Justification,
    Requester,
    account_problem,
    run_gated,
)
from platekeeper.server.access.models import Outcome, User
from platekeeper.server.access.roles import Permission
from platekeeper.server.reads.models import Image, Read
from platekeeper.server.retention import files
from platekeeper.server.retention.models import (
    Hold,
    HoldItem,
    HoldReason,
    PurgeRun,
    RetentionSettings,
)
from platekeeper.server.retention.queries import (
    MINIMUM_DAYS,
    RetentionKind,
    current_settings,
    held_read_ids,
)

#: Arbitrary constant naming the PostgreSQL advisory lock that orders hold placement against
#: purge batches, so a read cannot be deleted between a hold choosing it and the hold committing.
_HOLD_LOCK = 438_004
#: Session-level advisory lock: one purge at a time across every server on the database.
_PURGE_LOCK = 438_040
DEFAULT_BATCH = 5000
ORPHAN_GRACE = dt.timedelta(hours=6)
#: How Django's delete counts name hotlist entries in `PurgeRun.also_deleted`.
_ENTRY_LABEL = "hotlists.HotlistEntry"
SYSTEM_ACTOR = Actor(username="system:retention")


class RetentionError(PlatekeeperError, ValueError):
    """A retention change was refused; the message says why and how to proceed."""


# --- The schedule ------------------------------------------------------------------------


@transaction.atomic
def set_retention(
    changes: Mapping[RetentionKind, int], *, actor: Actor, override_reason: str = ""
) -> RetentionSettings:
    """Change retention periods. A period below the policy minimum needs `override_reason`.

    The audit log must outlive the data it describes, so its period may never be shorter than
    the longest data period, override or not. The override reason is kept on the settings (and
    shown wherever the schedule is) for as long as any period stays below its minimum.
    """
    row = RetentionSettings.objects.select_for_update().get(pk=current_settings().pk)
    before = {kind.value: getattr(row, kind.field) for kind in RetentionKind}
    for kind, days in changes.items():
        if days < 1:
            raise RetentionError(f"{kind.value}: must be at least 1 day")
        setattr(row, kind.field, days)
    below = [kind for kind in RetentionKind if getattr(row, kind.field) < MINIMUM_DAYS[kind]]
    newly_below = [kind for kind in below if kind in changes]
    override_reason = override_reason.strip()
    if newly_below and not override_reason:
        names = ", ".join(
            f"{k.value} ({getattr(row, k.field)} < {MINIMUM_DAYS[k]})" for k in newly_below
        )
        raise RetentionError(
            f"{names}: below the minimum of Policy 438.4 (Government Code §34090.6); "
            "give --override-reason to record why"
        )
    longest = max(getattr(row, kind.field) for kind in RetentionKind if kind.is_alpr_data)
    if row.audit_days < longest:
        raise RetentionError(
            f"audit: {row.audit_days} days is shorter than the longest data period ({longest} "
            "days); the audit log must outlive the data it describes"
        )
    now = timezone.now()
    if not below:
        row.override_reason, row.override_by, row.override_at = "", "", None
    elif override_reason:
        row.override_reason, row.override_by, row.override_at = (
            override_reason[:300],
            actor.username,
            now,
        )
    row.updated_at, row.updated_by = now, actor.username
    row.save()
    after = {kind.value: getattr(row, kind.field) for kind in RetentionKind}
    record_event(
        actor=actor,
        action="retention.settings",
        reason=override_reason,
        query={"before": before, "after": after, "override": bool(override_reason)},
    )
    return row


# --- Evidence holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class HoldSelection:
    """Which reads a hold keeps: ids chosen from a search, or every read of a plate in a window."""

    read_ids: tuple[uuid.UUID, ...] = ()
    plate: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def describe(self) -> dict[str, object]:
        if self.read_ids:
            return {"read_ids": len(self.read_ids)}
        return {
            "plate": self.plate,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def place_hold(
    requester: Requester,
    *,
    purpose: str,
    case_number: str,
    reason: HoldReason,
    requested_by: str,
    selection: HoldSelection,
    note: str = "",
) -> Hold:
    """Hold reads for a case so the purge keeps them; choosing them is a gated, audited access."""
    case_number = case_number.strip()
    if not case_number:
        raise RetentionError("case: a hold needs a case number")
    if not requested_by.strip():
        raise RetentionError("requested_by: say who asked for the hold (e.g. DDA J. Doe)")
    selection = _checked_selection(selection)

    def fetch() -> Gated[Hold]:
        _lock_against_purge()
        reads = Read.objects.all()
        if selection.read_ids:
            reads = reads.filter(id__in=selection.read_ids)
        else:
            reads = reads.filter(plate_normalized=selection.plate)
            if selection.start:
                reads = reads.filter(captured_at__gte=selection.start)
            if selection.end:
                reads = reads.filter(captured_at__lt=selection.end)
        chosen = list(reads.order_by("captured_at").values_list("id", "captured_at"))
        if not chosen:
            raise RetentionError(f"no stored reads match {selection.describe()}; nothing held")
        hold = Hold.objects.create(
            case_number=case_number,
            reason=reason,
            requested_by=requested_by.strip()[:200],
            note=note.strip()[:500],
            selection=selection.describe(),
            placed_by=requester.acting_user,
            placed_at=timezone.now(),
        )
        HoldItem.objects.bulk_create(
            HoldItem(hold=hold, read_id=read_id, captured_at=captured)
            for read_id, captured in chosen
        )
        return Gated(hold, record_ids=[str(read_id) for read_id, _ in chosen])

    return run_gated(
        requester,
        permission=Permission.PLACE_HOLDS,
        justification=Justification(purpose=purpose, case_number=case_number),
        action="retention.hold_place",
        query={
            "case": case_number,
            "reason": str(reason),
            "requested_by": requested_by.strip(),
            **selection.describe(),
        },
        fetch=fetch,
    )


def _checked_selection(selection: HoldSelection) -> HoldSelection:
    if selection.read_ids:
        return selection
    if not selection.plate:
        raise RetentionError("give read ids, or a plate (with an optional window)")
    try:
        plate = normalize_plate(selection.plate)
    except InvalidPlate as error:
        raise RetentionError(f"plate: {error}") from None
    if selection.start and selection.end and selection.start >= selection.end:
        raise RetentionError("from: must be before to")
    return HoldSelection(plate=plate, start=selection.start, end=selection.end)


def release_holds(
    case_number: str, *, user: User, reason: str, channel: str, client_address: str = ""
) -> list[Hold]:
    """Release every standing hold of a case; its reads then age out like any other.

    A Records Custodian may release any hold; whoever may place holds may release their own.
    A refusal is audited before it is raised.
    """
    actor = Actor.of(user)
    common: dict[str, Any] = {
        "actor": actor,
        "action": "retention.hold_release",
        "case_number": case_number,
        "channel": channel,
        "client_address": client_address,
    }
    with transaction.atomic():
        holds = list(
            Hold.objects.select_for_update().filter(
                case_number=case_number.strip(), released_at__isnull=True
            )
        )
        refusal = _release_refusal(user, holds, reason, case_number)
        if refusal is None:
            now = timezone.now()
            count = HoldItem.objects.filter(hold__in=holds).count()
            for hold in holds:
                hold.released_at, hold.released_by, hold.release_reason = now, user, reason.strip()
                hold.save(update_fields=["released_at", "released_by", "release_reason"])
            record_event(
                **common,
                reason=reason.strip(),
                query={"case": case_number, "holds": [h.pk for h in holds]},
                record_count=count,
            )
            return holds
    with transaction.atomic():
        record_event(**common, outcome=Outcome.DENIED, reason=refusal, query={"case": case_number})
    raise RetentionError(refusal)


def _release_refusal(user: User, holds: Sequence[Hold], reason: str, case: str) -> str | None:
    problem = account_problem(user)
    if problem:
        return problem
    if not reason.strip():
        return "reason: releasing a hold needs a reason"
    if not holds:
        return f"case {case!r} has no standing hold"
    if user.has_perm(f"access.{Permission.MANAGE_RETENTION.value}"):
        return None
    if user.has_perm(f"access.{Permission.PLACE_HOLDS.value}") and all(
        hold.placed_by_id == user.pk for hold in holds
    ):
        return None
    return "only a Records Custodian, or whoever placed every hold of the case, may release it"


def _lock_against_purge() -> None:
    """Order hold placement and purge batches (SQLite: already one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_HOLD_LOCK])


# --- The purge ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeProgress:
    """What the purge just did, for progress bars: `phase` is "reads", "images" or "orphans"."""

    phase: str
    done: int
    total: int | None
    committed: int = 0


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


Progress = Callable[[PurgeProgress], None]


def purge(
    *,
    actor: Actor = SYSTEM_ACTOR,
    channel: str = "system",
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
    the moment between a batch's commit and the deletion of its files.
    """
    if batch_size < 1:
        raise RetentionError("batch size: must be at least 1")
    schedule = current_settings()
    now = timezone.now()
    reads_cutoff = now - dt.timedelta(days=schedule.reads_days)
    alerted_cutoff = now - dt.timedelta(days=max(schedule.alerted_reads_days, schedule.alerts_days))
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
        report.interrupted_runs_audited = _audit_unfinished_runs(actor, channel)
        run = PurgeRun.objects.create(
            started_at=now,
            actor=actor.username,
            reads_cutoff=reads_cutoff,
            images_cutoff=images_cutoff,
        )
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
            _audit_run(run, actor=actor, channel=channel, interrupted=False)
    return report


def daily_purge() -> PurgeReport:
    """The purge as `serve` runs it every day (see `platekeeper.server.scheduler`)."""
    return purge()


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
            _lock_against_purge()
            batch = expired if floor is None else expired.filter(captured_at__gte=floor)
            rows = list(
                batch.order_by("captured_at").values_list(
                    "id", "captured_at", "plate_crop_id", "overview_id"
                )[:batch_size]
            )
            if not rows:
                return
            _, deleted = Read.objects.filter(id__in=[row[0] for row in rows]).delete()
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
            _lock_against_purge()
            rows = list(
                pending.order_by("captured_at").values_list(
                    "id", "captured_at", "plate_crop_id", "overview_id"
                )[:batch_size]
            )
            watermark = rows[-1][1] if rows else run.images_cutoff
            if rows:
                Read.objects.filter(id__in=[row[0] for row in rows]).update(
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
    still_used = set(
        Read.objects.filter(plate_crop_id__in=candidates).values_list("plate_crop_id", flat=True)
    ) | set(Read.objects.filter(overview_id__in=candidates).values_list("overview_id", flat=True))
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


def _audit_unfinished_runs(actor: Actor, channel: str) -> int:
    """Write the audit record of runs that were killed before writing their own."""
    unfinished = list(PurgeRun.objects.filter(audited=False).order_by("started_at"))
    for run in unfinished:
        with transaction.atomic():
            _audit_run(run, actor=actor, channel=channel, interrupted=True)
    return len(unfinished)


def _audit_run(run: PurgeRun, *, actor: Actor, channel: str, interrupted: bool) -> None:
    run.audited = True
    run.save()
    record_event(
        actor=actor,
        action="retention.purge",
        reason="interrupted run, audited by the next one" if interrupted else "",
        query={
            "run": run.pk,
            "interrupted": interrupted,
            "started_at": run.started_at.isoformat(),
            "reads_cutoff": run.reads_cutoff.isoformat(),
            "images_cutoff": run.images_cutoff.isoformat(),
            "reads_per_day": run.reads_per_day,
            "also_deleted": run.also_deleted,
            "hotlist_entries_deleted": run.also_deleted.get(_ENTRY_LABEL, 0),
            "images_detached": run.images_detached,
            "images_deleted": run.images_deleted,
            "files_deleted": run.files_deleted,
            "orphan_files_deleted": run.orphan_files_deleted,
        },
        record_count=run.reads_deleted,
        channel=channel,
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

"""`platekeeper purge`, `evidence ...` and `retention ...`: Policy 438.4 from the console."""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from platekeeper.cli.common import (
    chosen_reads,
    console_requester,
    copy_progress,
    login_at_console,
    password_option,
    progress_display,
    read_selection_options,
    user_option,
)
from platekeeper.cli.django_setup import migrate_database

if TYPE_CHECKING:
    from rich.progress import TaskID

KIND_NAMES = ["reads", "images", "alerted-reads", "alerts", "hotlist-entries", "audit"]
REASON_NAMES = ["criminal-action", "civil-action", "discovery-request", "other-lawful-action"]


# --- purge -------------------------------------------------------------------------------


@click.command()
@click.option("--dry-run", is_flag=True, help="Count what would be purged, per day; delete nothing")
@click.option(
    "--batch-size",
    default=5000,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Reads deleted per transaction",
)
@click.option("--verbose", is_flag=True, help="Print one line per committed batch")
@click.option(
    "--pause-between-batches",
    default=0.0,
    type=click.FloatRange(0, 60),
    hidden=True,
    help="Seconds to wait after each commit (for crash tests)",
)
def purge(dry_run: bool, batch_size: int, verbose: bool, pause_between_batches: float) -> None:
    """Delete reads and images past their retention period, except those on hold.

    Safe to interrupt and run again. `serve` runs it daily; each run writes one audit record
    with the number of reads purged per day.
    """
    migrate_database()
    from platekeeper.server.retention.purge import PurgeProgress
    from platekeeper.server.retention.purge import purge as run_purge

    with progress_display(not verbose) as bars:
        tasks: dict[str, TaskID] = {}

        def show(step: PurgeProgress) -> None:
            if verbose and step.committed:
                click.echo(f"{step.phase}: committed {step.committed} ({step.done} so far)")
            if bars is None:
                return
            if step.phase not in tasks:
                tasks[step.phase] = bars.add_task(f"purging {step.phase}", total=step.total)
            bars.update(tasks[step.phase], completed=step.done)

        report = run_purge(
            requester=console_requester(),
            dry_run=dry_run,
            batch_size=batch_size,
            progress=show,
            pause_after_commit=pause_between_batches,
        )
    verb = "Would purge" if dry_run else "Purged"
    click.echo(
        f"{verb} {report.reads_deleted} reads captured before "
        f"{report.reads_cutoff.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"
        f"{'' if dry_run else f', {report.images_deleted} images'}; "
        f"{report.held_kept} expired reads kept on hold."
    )
    for day, count in report.reads_per_day.items():
        click.echo(f"  {day}  {count}")
    if report.images_detached:
        click.echo(f"{verb} the images of {report.images_detached} reads past the image period.")
    if report.hotlist_entries_deleted:
        click.echo(f"{verb} {report.hotlist_entries_deleted} expired hotlist entries.")
    if report.orphan_files_deleted:
        click.echo(f"Removed {report.orphan_files_deleted} orphaned image files.")
    if report.interrupted_runs_audited:
        click.echo(f"Audited {report.interrupted_runs_audited} interrupted earlier run(s).")


# --- evidence ----------------------------------------------------------------------------


@click.group()
def evidence() -> None:
    """Evidence holds and exports: keep reads past retention for a case, and book them in."""


@evidence.command("hold")
@click.argument("case")
@read_selection_options("Hold")
@click.option("--reason", required=True, type=click.Choice(REASON_NAMES), help="Legal grounds")
@click.option("--requested-by", required=True, help="Who asked for it, e.g. 'DDA J. Doe'")
@click.option("--note", default="", help="Anything else the custodian should know")
@click.option("--purpose", default="criminal_investigation", show_default=True)
@user_option
@password_option
def hold(
    case: str,
    plate: str | None,
    start: dt.date | None,
    end: dt.date | None,
    read_ids: tuple[uuid.UUID, ...],
    reason: str,
    requested_by: str,
    note: str,
    purpose: str,
    username: str,
    password_stdin: bool,
) -> None:
    """Place an evidence hold for CASE: the chosen reads are kept past retention."""
    chosen = chosen_reads(plate, start, end, read_ids)
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.retention.actions import HoldSelection, place_hold
    from platekeeper.server.retention.models import HoldReason

    placed = place_hold(
        requester,
        purpose=purpose,
        case_number=case,
        reason=HoldReason(reason.replace("-", "_")),
        requested_by=requested_by,
        note=note,
        selection=HoldSelection(**chosen),
    )
    count = placed.items.count()
    click.echo(f"Hold #{placed.pk} placed for case {placed.case_number}: {count} reads kept.")


@evidence.command("release")
@click.argument("case")
@click.option("--reason", required=True, help="Why the hold is no longer needed")
@user_option
@password_option
def release(case: str, reason: str, username: str, password_stdin: bool) -> None:
    """Release every standing hold of CASE; its reads then age out normally."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.retention.actions import release_holds

    holds = release_holds(
        case,
        requester=requester,
        reason=reason,
    )
    click.echo(f"Released {len(holds)} hold(s) of case {case}.")


@evidence.command("list")
@click.option("--all", "include_released", is_flag=True, help="Include released holds")
def list_holds_command(include_released: bool) -> None:
    """Holds with their case, grounds and size (never the plates they hold)."""
    migrate_database()
    from platekeeper.server.retention.queries import list_holds

    holds = list_holds(console_requester(), include_released=include_released)
    if not holds:
        click.echo("No holds." if include_released else "No standing holds.")
        return
    click.echo(f"{'HOLD':<6} {'CASE':<14} {'READS':>6}  {'PLACED':<17} {'BY':<12} STATE / GROUNDS")
    for row in holds:
        state = (
            f"released {row.released_at:%Y-%m-%d} by {row.released_by}: {row.release_reason}"
            if row.released_at
            else "standing"
        )
        click.echo(
            f"#{row.id:<5} {row.case_number:<14} {row.read_count:>6}  "
            f"{row.placed_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} {row.placed_by:<12} "
            f"{state} / {row.reason_label}, requested by {row.requested_by}"
        )


@evidence.command("export")
@click.argument("case")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new folder, or a file name ending in .zip",
)
@click.option("--purpose", default="criminal_investigation", show_default=True)
@user_option
@password_option
def export(case: str, out: Path, purpose: str, username: str, password_stdin: bool) -> None:
    """Export the held reads of CASE with images, manifest and chain of custody. Audited."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.retention.evidence import export_case

    with copy_progress() as show:
        result = export_case(requester, case_number=case, purpose=purpose, out=out, progress=show)
    click.echo(
        f"Exported {result.reads} reads and {result.images} images of case {case} "
        f"to {result.out} ({result.files} files)."
    )
    click.echo("Write this on the property form; it proves the manifest is unchanged:")
    click.echo(f"manifest SHA-256: {result.manifest_sha256}")


@evidence.command("verify")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--manifest-sha256", default="", help="The manifest digest recorded at export")
def verify(path: Path, manifest_sha256: str) -> None:
    """Re-hash every file of an export; exit 1 naming any changed, missing or extra file."""
    from platekeeper.server.retention.manifest import verify_export

    report = verify_export(path, expected_manifest_sha256=manifest_sha256)
    if not report.ok:
        for line in report.describe():
            click.echo(line, err=True)
        click.echo(f"Evidence export at {path} FAILED verification.", err=True)
        sys.exit(1)
    click.echo(
        f"Evidence export intact: {report.checked} files match the manifest "
        f"(manifest SHA-256 {report.manifest_sha256})."
    )


# --- retention ---------------------------------------------------------------------------


@click.group("retention")
def retention_group() -> None:
    """The retention schedule: how long each kind of data is kept."""


@retention_group.command("show")
def show() -> None:
    """Each kind of data with its period, the policy minimum and how it is enforced."""
    migrate_database()
    from platekeeper.server.retention.queries import recent_purges, retention_schedule

    schedule = retention_schedule()
    click.echo(f"{'KIND':<16} {'DAYS':>5} {'MINIMUM':>8}  ENFORCEMENT")
    for row in schedule.rows:
        flag = "  ** below minimum **" if row.days < row.minimum else ""
        click.echo(f"{row.kind.value:<16} {row.days:>5} {row.minimum:>8}  {row.enforcement}{flag}")
    if schedule.override_reason:
        click.echo(
            f"Override by {schedule.override_by} on {schedule.override_at:%Y-%m-%d}: "
            f"{schedule.override_reason}"
        )
    runs = recent_purges(console_requester(), 1)
    if runs:
        last = runs[0]
        state = "finished" if last.finished_at else "interrupted"
        click.echo(
            f"Last purge: {last.started_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {state}, "
            f"{last.reads_deleted} reads, {last.images_deleted} images."
        )
    click.echo("The audit log is never purged by platekeeper: it must outlive its data.")


@retention_group.command("set")
@click.argument("kind", type=click.Choice(KIND_NAMES))
@click.argument("days", type=click.IntRange(1, 36_500))
@click.option("--override-reason", default="", help="Required below the policy minimum; recorded")
def set_period(kind: str, days: int, override_reason: str) -> None:
    """Keep KIND of data for DAYS days."""
    migrate_database()
    from platekeeper.server.retention.actions import set_retention
    from platekeeper.server.retention.queries import RetentionKind

    set_retention(
        {RetentionKind(kind): days}, requester=console_requester(), override_reason=override_reason
    )
    click.echo(f"{RetentionKind(kind).label} are now kept {days} days.")
    if override_reason:
        click.echo(f"Override recorded: {override_reason}")

"""`platekeeper audit ...`: verify the tamper-evident log, checkpoint it, and run reports."""

from __future__ import annotations

import datetime as dt
import sys

import click

from platekeeper.cli.common import DATE, console_requester, login_at_console, password_option
from platekeeper.cli.django_setup import migrate_database

#: The CLI's spelling of each review decision (`reviews.models.ReviewDecision`).
DECISION_NAMES = {
    "justified": "justified",
    "needs-follow-up": "needs_follow_up",
    "referred": "referred",
}


@click.group()
def audit() -> None:
    """Verify the audit log and produce audit reports (Policy 438.5(c))."""


@audit.command("verify")
def verify() -> None:
    """Walk the hash chain and the checkpoints; exit 1 naming the first broken event."""
    migrate_database()
    from platekeeper.server.access.audit import verify_chain

    result = verify_chain()
    if not result.ok:
        click.echo(
            f"Audit log BROKEN at event #{result.broken_event_id}: {result.problem}", err=True
        )
        sys.exit(1)
    click.echo(
        f"Audit log intact: {result.events_checked} events, "
        f"{result.checkpoints_checked} checkpoints verified."
    )
    if result.uncovered_events:
        since = f" (written {result.last_checkpoint_at})" if result.last_checkpoint_at else ""
        click.echo(
            f"{result.uncovered_events} newest events are not yet covered by a checkpoint"
            f"{since}; serve writes one within PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS."
        )


@audit.command("checkpoint")
def checkpoint() -> None:
    """Write the chain head to the checkpoint file outside the database (serve does it every
    minute while events are written, and when it stops)."""
    migrate_database()
    from platekeeper.server.access.audit import checkpoint_path, write_checkpoint

    written = write_checkpoint()
    if written is None:
        click.echo("Nothing new to checkpoint.")
    else:
        click.echo(f"Checkpoint of event #{written['event_id']} written to {checkpoint_path()}.")


@audit.command("report")
@click.option("--kind", default="searches_per_user_day", show_default=True, help="Which report")
@click.option("--from", "start", type=DATE, help="First day (default: 30 days ago)")
@click.option("--to", "end", type=DATE, help="Last day (default: today)")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "table"]), default="table", show_default=True
)
@click.option("--sample-size", default=20, show_default=True, type=click.IntRange(1, 1000))
def report(
    kind: str, start: dt.date | None, end: dt.date | None, fmt: str, sample_size: int
) -> None:
    """Run an audit report over a date range (kinds: see --kind help in the README).

    A `sample` puts the accesses it draws on the review worklist (`platekeeper audit review`)
    and shows where each one's review stands."""
    migrate_database()
    from django.utils import timezone

    from platekeeper.server.access.reports import REPORT_KINDS, build_report, report_csv

    if kind not in REPORT_KINDS:
        raise click.BadParameter(f"choose one of {', '.join(REPORT_KINDS)}", param_hint="--kind")
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=30)
    result = build_report(
        kind, requester=console_requester(), start=start, end=end, sample_size=sample_size
    )
    if fmt == "csv":
        click.echo(report_csv(result), nl=False)
        return
    click.echo(f"{result.title} — {result.start} to {result.end}")
    if not result.rows:
        click.echo("(no matching events)")
        return
    columns, rows = result.in_words(separators=True)
    click.echo(" | ".join(columns))
    for row in rows:
        click.echo(" | ".join("" if value is None else str(value) for value in row))


@audit.command("review")
@click.argument("event_id", type=click.IntRange(1))
@click.option(
    "--decision", required=True, type=click.Choice(list(DECISION_NAMES)), help="Your conclusion"
)
@click.option("--note", default="", help="Why (required unless the access was justified)")
@click.option("--user", "username", required=True, help="Your username (the Auditor's account)")
@password_option
def review(event_id: int, decision: str, note: str, username: str, password_stdin: bool) -> None:
    """Review EVENT_ID, an access drawn by a `sample` report: justified, needs follow-up or
    referred (438.5(c)). Audited; a later review supersedes an earlier one."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.reviews.actions import review_sample

    done = review_sample(
        event_id, decision=DECISION_NAMES[decision], note=note, requester=requester
    )
    click.echo(f"Access #{event_id} reviewed: {done.get_decision_display()}.")

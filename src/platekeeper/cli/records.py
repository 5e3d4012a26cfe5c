"""`platekeeper records ...`: requests for ALPR data (Policy 438.9) from the console.

Changes are made by the person at the console, who signs in (as for evidence exports): the
decision belongs to the Support Services Division Commander, the release to the custodian.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import click

from platekeeper.cli.common import (
    DATE,
    chosen_reads,
    console_requester,
    copy_progress,
    login_at_console,
    password_option,
    read_selection_options,
    user_option,
)
from platekeeper.cli.django_setup import migrate_database

if TYPE_CHECKING:  # Django is imported only when a command runs, so --help stays instant
    from platekeeper.server.access.models import User
    from platekeeper.server.records.models import RecordsRequest

KIND_NAMES = {
    "public-records": "public_records",
    "other-agency": "other_agency",
    "subpoena": "subpoena",
}
DECISION_NAMES = ["release", "partial", "deny"]
BASIS_NAMES = {
    "public-interest": "gc_7922_000",
    "investigatory": "gc_7923_600",
    "public-agencies-only": "cc_1798_90_55b",
    "official-information": "ec_1040",
    "compelled": "compelled",
    "official-purpose": "official_purpose",
    "other": "other",
}
STATUS_NAMES = ["awaiting", "decided", "released", "closed", "overdue"]
withholding_option = click.option(
    "--withholding-basis",
    "withholding",
    type=click.Choice(list(BASIS_NAMES)),
    help="For a release in part: the law the withheld part rests on",
)


@click.group()
def records() -> None:
    """Records requests for ALPR data: intake, deadline, the commander's decision, release."""


@records.command("add")
@click.option("--name", "requester_name", required=True, help="Who asks (a person or office)")
@click.option("--contact", required=True, help="How to answer them: address, e-mail, phone")
@click.option("--kind", required=True, type=click.Choice(list(KIND_NAMES)), help="Kind of request")
@click.option("--agency", default="", help="The requesting agency, by its name in platekeeper")
@click.option("--sought", required=True, help="The data asked for, in the requester's words")
@click.option("--received", type=DATE, help="Day it was received, YYYY-MM-DD (default: today)")
@user_option
@password_option
def add(
    requester_name: str,
    contact: str,
    kind: str,
    agency: str,
    sought: str,
    received: dt.date | None,
    username: str,
    password_stdin: bool,
) -> None:
    """Take in a request: it gets a number and a due date, and goes to the commander."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.records.actions import take_in_request
    from platekeeper.server.records.queries import agency_named

    row = take_in_request(
        requester,
        requester_name=requester_name,
        requester_contact=contact,
        kind=KIND_NAMES[kind],
        data_sought=sought,
        received_on=received,
        agency=agency_named(agency) if agency else None,
    )
    click.echo(
        f"Request {row.number} taken in; routed to the {row.routed_to_label}; "
        f"due {row.due_on:%Y-%m-%d}."
    )


@records.command("list")
@click.option("--status", type=click.Choice(STATUS_NAMES), help="Only requests in this state")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page number")
def list_command(status: str | None, page: int) -> None:
    """Requests, soonest due first, with their state and days left."""
    migrate_database()
    from django.utils import timezone

    from platekeeper.server.records.queries import list_requests, next_step, people_by_role

    today = timezone.localdate()
    rows = list_requests(console_requester(), status=status or "", page=page, today=today)
    people = people_by_role()
    if not rows.object_list:
        click.echo("No records requests." if not status else f"No {status} records requests.")
        return
    click.echo(
        f"{'NUMBER':<13} {'RECEIVED':<10} {'DUE':<10} {'LEFT':>5}  {'STATE':<18} {'FROM':<24} NEXT"
    )
    for row in rows.object_list:
        state = "OVERDUE" if row.is_overdue(today) else row.status.label
        left = row.days_left(today) if row.is_open() else ""
        click.echo(
            f"{row.number:<13} {row.received_on:%Y-%m-%d} {row.due_on:%Y-%m-%d} {left:>5}  "
            f"{state:<18} {row.requester_name:<24} {next_step(row, people).describe()}"
        )
    click.echo(
        f"Page {rows.number} of {rows.paginator.num_pages} ({rows.paginator.count} requests)"
    )


@records.command("show")
@click.argument("number")
def show(number: str) -> None:
    """One request: intake, deadline, decision and every release."""
    migrate_database()
    from django.utils import timezone

    from platekeeper.server.records.queries import next_step, people_by_role, request_detail

    row = request_detail(console_requester(), number)
    today = timezone.localdate()
    for label, value in _facts(row, today):
        click.echo(f"{label + ':':<16} {value}")
    for amendment in row.amendments.all():
        click.echo(
            f"Amended {amendment.amended_at:%Y-%m-%d} by {_username(amendment.amended_by)}: was "
            f"{amendment.get_decision_display()} ({amendment.get_legal_basis_display()}); "
            f"reason: {amendment.reason}"
        )
    for release in row.releases.all():
        click.echo(
            f"Released {release.released_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC by "
            f"{release.released_by.get_username()}: {release.read_count} reads to "
            f"{release.export_path}; manifest SHA-256 {release.manifest_sha256}; "
            f"audit event #{release.audit_event_id}"
        )
    click.echo(f"{'Next:':<16} {next_step(row, people_by_role()).describe()}")


def _username(user: User | None) -> str:
    """Who took a step; blank if the row names no one (as the web page shows it)."""
    return user.get_username() if user is not None else ""


def _facts(row: RecordsRequest, today: dt.date) -> list[tuple[str, str]]:
    """What `show` prints about a request, in the order it happened."""
    due = f"{row.due_on:%Y-%m-%d}"
    if row.is_overdue(today):
        due += " (OVERDUE)"
    elif row.is_open():
        due += f" ({row.days_left(today)} days left)"
    facts = [
        ("Request", f"{row.number} ({row.get_kind_display()})"),
        ("From", row.requester_name + (f", {row.agency.name}" if row.agency else "")),
        ("Contact", row.requester_contact),
        ("Data sought", row.data_sought),
        ("Received", f"{row.received_on:%Y-%m-%d}, taken in by {row.taken_in_by.get_username()}"),
        ("Routed to", row.routed_to_label),
        ("Due", due),
        ("State", row.status.label),
    ]
    if row.extended:
        facts.append(("Extended", f"by {_username(row.extended_by)}: {row.extension_reason}"))
    if row.decision:
        decided = f"{_username(row.decided_by)} on {row.decided_at:%Y-%m-%d}"
        facts.append(("Decision", f"{row.get_decision_display()} by {decided}"))
        facts.append(("Legal basis", row.get_legal_basis_display()))
        if row.withholding_basis:
            facts.append(("Withheld under", row.get_withholding_basis_display()))
        if row.decision_note:
            facts.append(("Note", row.decision_note))
    return facts


@records.command("extend")
@click.argument("number")
@click.option("--reason", required=True, help="The unusual circumstance, as told to the requester")
@user_option
@password_option
def extend(number: str, reason: str, username: str, password_stdin: bool) -> None:
    """Extend the deadline of NUMBER by 14 days (once, before it passes)."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.records.actions import extend_deadline

    row = extend_deadline(requester, number, reason=reason)
    click.echo(f"Request {row.number} extended; now due {row.due_on:%Y-%m-%d}.")


@records.command("decide")
@click.argument("number")
@click.option(
    "--decision", required=True, type=click.Choice(DECISION_NAMES), help="partial: release in part"
)
@click.option(
    "--basis", type=click.Choice(list(BASIS_NAMES)), help="The law the decision rests on (required)"
)
@withholding_option
@click.option("--note", default="", help="Reasons in your words (required for --basis other)")
@user_option
@password_option
def decide(
    number: str,
    decision: str,
    basis: str | None,
    withholding: str | None,
    note: str,
    username: str,
    password_stdin: bool,
) -> None:
    """Decide NUMBER: release, release in part or deny, with the legal basis that fits it (a
    release rests on a basis for releasing, a denial on one for withholding). Commander only."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.records.actions import decide_request

    row = decide_request(
        requester,
        number,
        decision=decision,
        legal_basis=BASIS_NAMES.get(basis or "", ""),
        withholding_basis=BASIS_NAMES.get(withholding or "", ""),
        note=note,
    )
    click.echo(f"Request {row.number} decided: {row.get_decision_display()}.")
    _echo_bases(row)


@records.command("amend")
@click.argument("number")
@click.option("--decision", required=True, type=click.Choice(DECISION_NAMES), help="The new one")
@click.option(
    "--basis", type=click.Choice(list(BASIS_NAMES)), help="The law it rests on (required)"
)
@withholding_option
@click.option("--note", default="", help="Reasons in your words (required for --basis other)")
@click.option("--reason", required=True, help="Why the decision changes (kept with the request)")
@user_option
@password_option
def amend(
    number: str,
    decision: str,
    basis: str | None,
    withholding: str | None,
    note: str,
    reason: str,
    username: str,
    password_stdin: bool,
) -> None:
    """Amend the decision of NUMBER with a reason; the earlier decision is kept. Commander only."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.records.actions import amend_decision

    row = amend_decision(
        requester,
        number,
        reason=reason,
        decision=decision,
        legal_basis=BASIS_NAMES.get(basis or "", ""),
        withholding_basis=BASIS_NAMES.get(withholding or "", ""),
        note=note,
    )
    click.echo(f"Request {row.number} amended: now {row.get_decision_display()}.")
    _echo_bases(row)


def _echo_bases(row: RecordsRequest) -> None:
    click.echo(f"Legal basis: {row.get_legal_basis_display()}")
    if row.withholding_basis:
        click.echo(f"Withheld under: {row.get_withholding_basis_display()}")


@records.command("release")
@click.argument("number")
@read_selection_options("Release")
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="A new folder, or a file name ending in .zip",
)
@user_option
@password_option
def release(
    number: str,
    plate: str | None,
    start: dt.date | None,
    end: dt.date | None,
    read_ids: tuple[uuid.UUID, ...],
    out: Path,
    username: str,
    password_stdin: bool,
) -> None:
    """Release the chosen reads for NUMBER as an evidence export (held, audited, logged)."""
    chosen = chosen_reads(plate, start, end, read_ids)
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.records.actions import release_records
    from platekeeper.server.retention.actions import HoldSelection

    selection = HoldSelection(**chosen)
    with copy_progress() as show:
        done = release_records(requester, number, selection=selection, out=out, progress=show)
    click.echo(f"Released {done.read_count} reads for {done.request.number} to {done.export_path}.")
    click.echo(f"manifest SHA-256: {done.manifest_sha256} (audit event #{done.audit_event_id})")

"""`platekeeper approvals ...`: broad queries held for a second person (issue 15, item 4).

Deciding is a person's act: the supervisor signs in (`--user`), never the shell. The
thresholds are a department setting, changed at the server's console (audited).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from platekeeper.cli.common import console_requester, login_at_console, password_option, user_option
from platekeeper.cli.django_setup import migrate_database

if TYPE_CHECKING:  # Django is imported only when a command runs, so --help stays instant
    from platekeeper.server.approvals.models import ApprovalRequest


@click.group()
def approvals() -> None:
    """Broad queries held for a supervisor's approval: list, approve, deny; the thresholds."""


def _line(approval: ApprovalRequest) -> str:
    from platekeeper.server.approvals.queries import state_of

    when = f"{approval.created_at:%Y-%m-%d %H:%M} UTC"
    decided = f" by {approval.decided_by_name}" if approval.decided_by_name else ""
    note = f" ({approval.note})" if approval.note else ""
    return (
        f"#{approval.pk:<5} {when}  {approval.requester_name:<16} {state_of(approval)}{decided}"
        f"{note}: {approval.why}"
    )


@approvals.command("list")
@user_option
@password_option
def list_approvals(username: str, password_stdin: bool) -> None:
    """Your own broad requests, and (for a supervisor) the others' awaiting a decision."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.approvals.queries import approvals_for

    found = approvals_for(requester)
    sections = [("Yours", found.mine)]
    if found.may_decide:
        sections += [("Awaiting your decision", found.to_decide), ("Decided", found.decided)]
    for title, rows in sections:
        click.echo(f"{title}: {len(rows) or 'none'}")
        for approval in rows:
            click.echo(f"  {_line(approval)}")


def _decide(number: int, username: str, password_stdin: bool, *, approve: bool, note: str) -> None:
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.approvals.actions import Decision, decide

    approval = decide(requester, number, Decision(approve=approve, note=note))
    click.echo(_line(approval))


@approvals.command()
@click.argument("number", type=click.IntRange(min=1))
@user_option
@click.option("--note", default="", help="What the approval rests on")
@password_option
def approve(number: int, username: str, note: str, password_stdin: bool) -> None:
    """Approve another person's broad request NUMBER; it may then run once."""
    _decide(number, username, password_stdin, approve=True, note=note)


@approvals.command()
@click.argument("number", type=click.IntRange(min=1))
@user_option
@click.option("--note", required=True, help="Why the request is denied")
@password_option
def deny(number: int, username: str, note: str, password_stdin: bool) -> None:
    """Deny another person's broad request NUMBER, saying why."""
    _decide(number, username, password_stdin, approve=False, note=note)


_COUNT = click.IntRange(min=1)


@approvals.command()
@click.option("--canvass-radius-m", type=_COUNT, help="A canvass wider than this radius (m)")
@click.option("--canvass-hours", type=_COUNT, help="A canvass longer than this (hours)")
@click.option(
    "--partial-known-chars", type=_COUNT, help="A partial plate with fewer known characters"
)
@click.option("--partial-days", type=_COUNT, help="... over a window longer than this (days)")
@click.option("--export-rows", type=_COUNT, help="An export of more reads than this")
@click.option("--search-back-days", type=_COUNT, help="A search-back longer than this (days)")
@click.option(
    "--vehicle-without-plate",
    type=click.Choice(["on", "off"]),
    help="Whether a vehicle-description search without a plate needs approval",
)
@click.option("--valid-hours", type=_COUNT, help="Hours an approval may wait to be run")
def thresholds(**given: int | str | None) -> None:
    """Show the thresholds beyond which a query needs a supervisor's approval; with options,
    set them first (audited)."""
    migrate_database()
    from platekeeper.server.approvals.actions import THRESHOLD_FIELDS, set_thresholds
    from platekeeper.server.approvals.queries import thresholds as current

    values = {
        name: value == "on" if isinstance(value, str) else value
        for name, value in given.items()
        if value is not None
    }
    if values:
        set_thresholds(requester=console_requester(), **values)
    shown = current()
    for name, meaning in THRESHOLD_FIELDS.items():
        value = getattr(shown, name)
        text = ("on" if value else "off") if isinstance(value, bool) else f"{value:,}"
        click.echo(f"{name.replace('_', '-'):<22} {text:>8}  {meaning}")

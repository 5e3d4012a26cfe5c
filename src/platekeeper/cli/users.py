"""`platekeeper user|token|training|settings|purpose ...`: accounts, API tokens, training,
security, purposes."""

from __future__ import annotations

import datetime as dt

import click

from platekeeper.cli.common import DATE, console_requester, read_password
from platekeeper.cli.django_setup import migrate_database

ROLE_NAMES = ["administrator", "operator", "investigator", "auditor", "custodian", "partner"]


@click.group()
def user() -> None:
    """Add, list and disable user accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLE_NAMES), help="The user's role")
@click.option("--agency", help="Agency name (default: this department)")
@click.option("--full-name", default="", help="The person's name as shown in audit reports")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def add_user(
    name: str, role: str, agency: str | None, full_name: str, password_stdin: bool
) -> None:
    """Create user NAME with a role; the password is prompted for (or read from stdin)."""
    password = read_password(password_stdin, confirm=True)
    migrate_database()
    from platekeeper.server.access.actions import AccountError, create_user
    from platekeeper.server.access.roles import Role
    from platekeeper.server.agencies.models import Agency

    agency_row = None
    if agency:
        agency_row = Agency.objects.filter(name=agency).first()
        if agency_row is None:
            raise AccountError(f"--agency: no agency named {agency!r}")
    created = create_user(
        name,
        role=Role(role),
        password=password,
        requester=console_requester(),
        agency=agency_row,
        full_name=full_name,
    )
    click.echo(f"User {created.username!r} created as {Role(role).label}.")
    click.echo(
        "Record their ALPR training before they can reach data: "
        f"platekeeper training record {name} --completed YYYY-MM-DD"
    )


@user.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable user NAME at once (login, sessions' data access and tokens stop working)."""
    migrate_database()
    from platekeeper.server.access.actions import disable_user

    disable_user(name, requester=console_requester())
    click.echo(f"User {name!r} disabled.")


@user.command("list")
def list_users() -> None:
    """Users with their role, state and training expiry."""
    migrate_database()
    from platekeeper.server.access.models import User

    users = User.objects.select_related("agency").prefetch_related("groups", "training_records")
    if not users.exists():
        click.echo("No users yet. Add one with: platekeeper user add NAME --role administrator")
        return
    click.echo(f"{'USER':<16} {'ROLE':<14} {'ACTIVE':<7} {'TRAINING UNTIL':<15} AGENCY")
    for account in users.order_by("username"):
        records = list(account.training_records.all())
        until = max((r.expires_on for r in records), default=None)
        click.echo(
            f"{account.username:<16} {(account.role or '-'):<14} "
            f"{'yes' if account.is_active else 'no':<7} {until or 'none'!s:<15} "
            f"{account.agency.name if account.agency else '-'}"
        )


@click.group()
def token() -> None:
    """Personal API tokens."""


@token.command("create")
@click.argument("name")
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 365))
def create_token(name: str, days: int) -> None:
    """Issue an API token for user NAME; printed once, alone on the last line."""
    migrate_database()
    from platekeeper.server.access.actions import create_personal_token

    row, secret = create_personal_token(name, requester=console_requester(), valid_days=days)
    click.echo(
        f"Token for {name!r}, valid until {row.expires_at:%Y-%m-%d %H:%M} UTC. Shown only now:"
    )
    click.echo(secret)


@token.command("revoke")
@click.argument("name_or_id")
def revoke_token(name_or_id: str) -> None:
    """Revoke token ID, or every live token of user NAME, at once."""
    migrate_database()
    from platekeeper.server.access.actions import revoke_personal_tokens

    revoked = revoke_personal_tokens(name_or_id, requester=console_requester())
    click.echo(f"Revoked {revoked} token{'s' if revoked != 1 else ''} of {name_or_id!r}.")


@click.group()
def training() -> None:
    """Record ALPR training (Policy 438.7) and see who needs it renewed."""


@training.command("record")
@click.argument("name")
@click.option("--completed", required=True, type=DATE, help="Completion date, YYYY-MM-DD")
@click.option("--course", default=None, help="Course name")
@click.option("--valid-days", default=365, show_default=True, type=click.IntRange(1, 365))
def record(name: str, completed: dt.date, course: str | None, valid_days: int) -> None:
    """Record that user NAME completed training on a date."""
    migrate_database()
    from platekeeper.server.access.actions import DEFAULT_COURSE, record_training

    row = record_training(
        name,
        completed_on=completed,
        requester=console_requester(),
        course=course or DEFAULT_COURSE,
        valid_days=valid_days,
    )
    click.echo(f"Training recorded for {name!r}: valid until {row.expires_on}.")


@training.command("due")
@click.option("--within", default=30, show_default=True, type=click.IntRange(0, 366), help="Days")
def due(within: int) -> None:
    """Users whose training has lapsed, is missing, or expires within the next days."""
    migrate_database()
    from platekeeper.server.access.queries import training_due

    rows = training_due(within_days=within)
    if not rows:
        click.echo(f"Everyone's training is current for at least {within} more days.")
        return
    for row in rows:
        click.echo(f"{row.username:<16} {row.status}")


@click.group("settings")
def settings_group() -> None:
    """Security settings an administrator may change."""


@settings_group.command("require-totp")
@click.argument("state", type=click.Choice(["on", "off"]))
def require_totp(state: str) -> None:
    """Make a TOTP second factor mandatory for every user (on) or optional (off)."""
    migrate_database()
    from platekeeper.server.access.actions import set_require_totp

    set_require_totp(state == "on", requester=console_requester())
    click.echo(f"Second factor is now {'mandatory' if state == 'on' else 'optional'}.")


@click.group()
def purpose() -> None:
    """List, add, retire and reactivate the purposes users state (438.5(b)); those the law
    forbids (immigration enforcement, reproductive health care, First Amendment activity) are
    refused whatever is typed."""


@purpose.command("list")
def list_purposes() -> None:
    """Print every purpose: code, label, whether a case number is asked, active or retired."""
    migrate_database()
    from platekeeper.server.access.models import Purpose

    for row in Purpose.objects.order_by("code"):
        case = "case number" if row.case_number_required else "no case number"
        state = "active" if row.active else "retired"
        click.echo(f"{row.code}\t{row.label}\t{case}\t{state}")


@purpose.command("add")
@click.argument("code")
@click.argument("label")
@click.option("--no-case-number", is_flag=True, help="Accesses under it need no case number")
def add_purpose_command(code: str, label: str, no_case_number: bool) -> None:
    """Add purpose CODE shown as LABEL."""
    migrate_database()
    from platekeeper.server.access.actions import add_purpose

    added = add_purpose(
        code, label, case_number_required=not no_case_number, requester=console_requester()
    )
    click.echo(f"Purpose {added.code!r} added.")


@purpose.command("activate")
@click.argument("code")
def activate_purpose(code: str) -> None:
    """Let users state purpose CODE again."""
    _set_purpose_active(code, True)


@purpose.command("retire")
@click.argument("code")
def retire_purpose(code: str) -> None:
    """Stop users from stating purpose CODE (past accesses keep it)."""
    _set_purpose_active(code, False)


def _set_purpose_active(code: str, active: bool) -> None:
    migrate_database()
    from platekeeper.server.access.actions import set_purpose_active

    set_purpose_active(code, active, requester=console_requester())
    click.echo(f"Purpose {code!r} {'activated' if active else 'retired'}.")

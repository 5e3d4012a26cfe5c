"""Helpers shared by CLI commands: the console actor, logging in at the console, passwords,
dates, progress bars."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, TypedDict

import click

if TYPE_CHECKING:  # imported when a command runs, so `platekeeper --help` stays instant
    from rich.progress import Progress

    from platekeeper.server.access.audit import Actor
    from platekeeper.server.access.gate import Requester


def console_requester() -> Requester:
    """The operator at the server's console, as the gate and the audit know them (see
    `Requester.console`): administrative commands only; ALPR data needs `--user`."""
    from platekeeper.server.access.gate import Requester

    return Requester.console()


def console_actor() -> Actor:
    """The audit identity of someone running administrative commands on the server itself.

    Shell access to the server is already the highest privilege, so the operating-system user
    is recorded as the actor of CLI changes.
    """
    from platekeeper.server.access.audit import Actor

    return Actor(username=f"console:{getpass.getuser()}")


def read_password(from_stdin: bool, *, confirm: bool = False) -> str:
    """A password from standard input (first line) or from a hidden prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise click.UsageError("--password-stdin: standard input held no password")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


class DateParam(click.ParamType):
    """A calendar date written YYYY-MM-DD; anything else is refused at parse time."""

    name = "YYYY-MM-DD"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


DATE = DateParam()


def progress_display(enabled: bool) -> AbstractContextManager[Progress | None]:
    """A rich progress display on a terminal; nothing when output goes to a file or pipe."""
    if not enabled or not sys.stderr.isatty():
        return nullcontext(None)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


@contextmanager
def copy_progress(description: str = "copying images") -> Iterator[Callable[[int, int], None]]:
    """A `progress(done, total)` callback, drawn as a bar on a terminal (for exports)."""
    with progress_display(True) as bars:
        task = bars.add_task(description, total=None) if bars else None

        def show(done: int, total: int) -> None:
            if bars is not None and task is not None:
                bars.update(task, completed=done, total=total)

        yield show


def login_at_console(username: str, password_stdin: bool) -> Requester:
    """Authenticate the person at the console: exports and holds are theirs, not the shell's."""
    password = read_password(password_stdin)
    from platekeeper.cli.django_setup import migrate_database

    migrate_database()
    from platekeeper.server.access.actions import authenticate_password
    from platekeeper.server.access.gate import Requester

    address = f"console:{getpass.getuser()}"
    user = authenticate_password(username, password, channel="cli", client_address=address)
    return Requester(user=user, channel="cli", client_address=address)


user_option = click.option(
    "--user", "username", required=True, help="Your username (you will be asked for your password)"
)
password_option = click.option(
    "--password-stdin", is_flag=True, help="Read your password from standard input"
)


def read_selection_options(verb: str) -> Callable[[Callable], Callable]:
    """`--plate`, `--from`, `--to` and `--read-id`: which reads a hold or a release takes."""
    options = [
        click.option("--plate", help=f"{verb} every read of this plate (in the window, if given)"),
        click.option("--from", "start", type=DATE, help="First day of the window (UTC)"),
        click.option("--to", "end", type=DATE, help="Last day of the window (UTC)"),
        click.option("--read-id", "read_ids", multiple=True, type=click.UUID, help="One read"),
    ]

    def decorate(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


class ChosenReads(TypedDict):
    """The fields of `retention.actions.HoldSelection` (Django is imported only when needed)."""

    read_ids: tuple[uuid.UUID, ...]
    plate: str
    start: dt.datetime | None
    end: dt.datetime | None


def chosen_reads(
    plate: str | None,
    start: dt.date | None,
    end: dt.date | None,
    read_ids: tuple[uuid.UUID, ...],
) -> ChosenReads:
    """The `HoldSelection` fields for those options: whole UTC days, the last one included.

    Checked before anything else runs, so a wrong choice fails before the password prompt.
    """
    if bool(plate) == bool(read_ids):
        raise click.UsageError("give either --plate (with --from/--to) or --read-id")

    def midnight(day: dt.date | None, *, after: bool = False) -> dt.datetime | None:
        if day is None:
            return None
        return dt.datetime.combine(day + dt.timedelta(days=int(after)), dt.time(), tzinfo=dt.UTC)

    return {
        "read_ids": read_ids,
        "plate": plate or "",
        "start": midnight(start),
        "end": midnight(end, after=True),
    }

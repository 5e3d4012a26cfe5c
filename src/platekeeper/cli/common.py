"""Helpers shared by CLI commands: the console actor, passwords, dates."""

from __future__ import annotations

import datetime as dt
import getpass
import sys

import click


def console_actor():  # -> platekeeper.server.access.audit.Actor (imported lazily)
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

    def convert(self, value, param, ctx) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD", param, ctx)


DATE = DateParam()

"""`platekeeper settings case-number-format`: the department's case-number format (438.5(b)),
added to the `settings` group of `cli/users.py` by `cli/main.py`."""

from __future__ import annotations

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database


@click.command("case-number-format")
@click.argument("regex")
@click.option("--example", required=True, help="A case number that matches REGEX, e.g. 26-004417")
def case_number_format(regex: str, example: str) -> None:
    """Make every case number stated with an access match REGEX in full (refused otherwise,
    showing the example). The change is audited."""
    migrate_database()
    from platekeeper.server.cases.actions import set_case_number_format

    set_case_number_format(regex, example=example, requester=console_requester())
    click.echo(f"Case numbers must now match {regex} (e.g. {example}).")

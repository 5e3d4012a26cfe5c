"""`platekeeper search`: a plate search from the console, with the same checks as the UI."""

from __future__ import annotations

import datetime as dt

import click

from platekeeper.cli.common import login_at_console, password_option, user_option


@click.command()
@click.argument("plate")
@user_option
@click.option("--purpose", required=True, help="Purpose code, e.g. stolen_vehicle")
@click.option("--case-number", default="", help="Case or incident number")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@password_option
def search(
    plate: str, username: str, purpose: str, case_number: str, limit: int, password_stdin: bool
) -> None:
    """Search the reads of PLATE, newest first. Audited like every access."""
    requester = login_at_console(username, password_stdin)
    from platekeeper.server.access.gate import Justification
    from platekeeper.server.reads.queries import search_plate

    page = search_plate(
        requester,
        Justification(purpose=purpose, case_number=case_number),
        plate=plate,
        limit=limit,
    )
    if not page.results:
        click.echo(f"No reads of {plate.upper()}.")
        return
    for read in page.results:
        when = read.captured_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        place = f"{read.latitude:.5f},{read.longitude:.5f}"
        click.echo(
            f"{when} UTC  {read.plate:<8} {read.state:<3} {read.camera:<28} {place}  {read.id}"
        )
    if page.next_cursor:
        click.echo(f"(more than {limit} reads; narrow the search or raise --limit)")

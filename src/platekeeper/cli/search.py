"""`platekeeper search`: a plate search from the console, with the same checks as the UI."""

from __future__ import annotations

import dataclasses
import datetime as dt

import click

from platekeeper.cli.common import login_at_console, password_option, user_option

_WHEN = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])


@click.command()
@click.argument("plate", required=False, default="")
@user_option
@click.option("--purpose", required=True, help="Purpose code, e.g. stolen_vehicle")
@click.option("--case-number", default="", help="Case or incident number")
@click.option(
    "--on-behalf-of",
    default="",
    help="Another agency (name or ORI) this search is for; it needs an agreement covering it",
)
@click.option("--on-behalf-of-person", default="", help="The person who asked for it")
@click.option("--make", default="", help="Vehicle make, e.g. Toyota (ignoring case)")
@click.option("--color", default="", help="Vehicle colour, e.g. white")
@click.option("--type", "kind", default="", help="Vehicle body type, e.g. pickup")
@click.option("--start", type=_WHEN, help="From (UTC); needed for partial plates or no plate")
@click.option("--end", type=_WHEN, help="To (UTC)")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 200))
@click.option(
    "--approval",
    type=click.IntRange(min=1),
    help="Run a held broad search again under this approval (once, after a supervisor's)",
)
@password_option
def search(
    plate: str,
    username: str,
    purpose: str,
    case_number: str,
    on_behalf_of: str,
    on_behalf_of_person: str,
    make: str,
    color: str,
    kind: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    limit: int,
    approval: int | None,
    password_stdin: bool,
) -> None:
    """Search the reads of PLATE (partial: `7AB?12`) and/or of a vehicle make, colour and
    type, newest first. Without a PLATE it is a broad query: it needs --case-number and a
    --start/--end at most 7 days apart, and beyond the department's thresholds (`platekeeper
    approvals thresholds`) it is held for a supervisor's approval: send it again with
    --approval. Audited like every access."""
    requester = dataclasses.replace(login_at_console(username, password_stdin), approval=approval)
    from platekeeper.server.access.gate import Justification
    from platekeeper.server.reads.queries import VehicleFilter, search_plate

    page = search_plate(
        requester,
        Justification(
            purpose=purpose,
            case_number=case_number,
            on_behalf_of_agency=on_behalf_of,
            on_behalf_of_person=on_behalf_of_person,
        ),
        plate=plate,
        start=start.replace(tzinfo=dt.UTC) if start else None,
        end=end.replace(tzinfo=dt.UTC) if end else None,
        limit=limit,
        vehicle=VehicleFilter(make=make, color=color, type=kind),
    )
    if not page.results:
        click.echo(f"No reads of {plate.upper() or 'that vehicle'}.")
        return
    for read in page.results:
        when = read.captured_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        place = f"{read.latitude:.5f},{read.longitude:.5f}"
        vehicle = " ".join(
            v for v in (read.vehicle_color, read.vehicle_make, read.vehicle_type) if v
        )
        flag = "HOTLIST " if read.on_hotlist else ""
        click.echo(
            f"{when} UTC  {read.plate:<8} {read.state:<3} {read.camera:<28} {place}  "
            f"{flag}{vehicle or '-'}  {read.id}"
        )
    if page.next_cursor:
        click.echo(f"(more than {limit} reads; narrow the search or raise --limit)")

"""`platekeeper hotlist ...`: create lists, import state/NCIC or CSV files, enter partial plates."""

from __future__ import annotations

from pathlib import Path

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database
from platekeeper.hotlist_formats import format_names

CATEGORIES = [
    "stolen_vehicle",
    "stolen_plate",
    "wanted_person",
    "missing_person",
    "amber_alert",
    "warrant",
    "other",
]


@click.group()
def hotlist() -> None:
    """Hotlists: plates of interest that raise alerts when read."""


@hotlist.command("create")
@click.argument("name")
@click.option("--category", type=click.Choice(CATEGORIES), default="other", show_default=True)
@click.option(
    "--source", type=click.Choice(["state", "manual", "bolo"]), default="manual", show_default=True
)
@click.option(
    "--priority", type=click.IntRange(1, 5), default=3, show_default=True, help="1 is highest"
)
@click.option("--fuzzy", is_flag=True, help="Also alert on reads one character away")
@click.option("--freshness-hours", type=click.IntRange(0, 24 * 365), default=24, show_default=True)
def create(
    name: str, category: str, source: str, priority: int, fuzzy: bool, freshness_hours: int
) -> None:
    """Create hotlist NAME."""
    migrate_database()
    from platekeeper.server.hotlists.actions import create_hotlist

    create_hotlist(
        name,
        requester=console_requester(),
        source=source,
        category=category,
        priority=priority,
        fuzzy=fuzzy,
        freshness_hours=freshness_hours,
    )
    click.echo(f"Hotlist {name!r} created.")


@hotlist.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--list", "list_name", required=True, help="The hotlist to import into")
@click.option(
    "--format", "fmt", type=click.Choice(format_names()), default="csv", show_default=True
)
@click.option("--replace", is_flag=True, help="Remove entries that are not in the file")
@click.option("--map", "mapping", default="", help="CSV column names: plate=LicNo,state=St,...")
def import_file(file: Path, list_name: str, fmt: str, replace: bool, mapping: str) -> None:
    """Import FILE into a hotlist in one transaction; prints what changed and every bad line."""
    from rich.progress import Progress

    from platekeeper.hotlist_formats import HotlistFormatError, parse_mapping, require_format

    try:
        columns = parse_mapping(mapping)
    except HotlistFormatError as error:
        raise click.BadParameter(str(error), param_hint="--map") from None
    migrate_database()
    from platekeeper.server.hotlists.actions import HotlistError, import_entries
    from platekeeper.server.hotlists.models import Hotlist

    target = Hotlist.objects.filter(name=list_name).first()
    if target is None:
        raise HotlistError(
            f"--list: no hotlist named {list_name!r} (create it with: platekeeper hotlist create)"
        )
    with file.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        rows = require_format(fmt).parse(handle, columns)
        with Progress(transient=True) as progress:
            task = progress.add_task(f"Importing {file.name}", total=None)
            try:
                report = import_entries(
                    target,
                    rows,
                    requester=console_requester(),
                    replace=replace,
                    source_name=file.name,
                    progress=lambda n: progress.advance(task, n),
                )
            except HotlistFormatError as error:
                raise click.ClickException(f"{file.name}: {error}") from None
    for row in report.invalid[:50]:
        click.echo(f"  line {row.line}: {row.reason}")
    if len(report.invalid) > 50:
        click.echo(f"  ... and {len(report.invalid) - 50} more invalid lines")
    for refused in report.refused[:50]:
        click.echo(f"  line {refused.line}: {refused.describe()}")
    click.echo(f"{list_name}: {report.describe()}.")


@hotlist.command("add")
@click.argument("plate")
@click.option("--list", "list_name", required=True, help="The hotlist")
@click.option("--state", default="", help="Plate state, if known")
@click.option("--reason", default="", help="Why the plate is of interest")
@click.option("--description", default="", help="Vehicle description")
@click.option("--case-number", default="", help="Case or incident number")
def add(
    plate: str, list_name: str, state: str, reason: str, description: str, case_number: str
) -> None:
    """Enter PLATE (wildcards allowed: 7AB?12, *X9*) on a hotlist."""
    migrate_database()
    from platekeeper.server.hotlists.actions import HotlistError, add_entry
    from platekeeper.server.hotlists.models import Hotlist

    target = Hotlist.objects.filter(name=list_name).first()
    if target is None:
        raise HotlistError(f"--list: no hotlist named {list_name!r}")
    entry = add_entry(
        target,
        plate,
        requester=console_requester(),
        state=state,
        reason=reason,
        description=description,
        case_number=case_number,
    )
    click.echo(f"{entry.entry.plate_normalized} entered on {list_name}.")


@hotlist.command("list")
def list_hotlists() -> None:
    """Hotlists with their size and when each was last refreshed."""
    migrate_database()
    from django.db.models import Count

    from platekeeper.server.hotlists.models import Hotlist

    lists = Hotlist.objects.annotate(size=Count("entries"))
    if not lists:
        click.echo(
            "No hotlists yet. Create one with: platekeeper hotlist create NAME --category ..."
        )
        return
    click.echo(f"{'NAME':<28} {'CATEGORY':<16} {'PRIO':<5} {'ENTRIES':>9}  REFRESHED (UTC)")
    for row in lists:
        refreshed = row.refreshed_at.strftime("%Y-%m-%d %H:%M") if row.refreshed_at else "never"
        click.echo(
            f"{row.name:<28} {row.category:<16} {row.priority:<5} {row.size:>9}  {refreshed}"
        )


@hotlist.command("dispatch")
@click.argument("name")
@click.option("--url", help="The dispatch system's webhook (http:// or https://)")
@click.option(
    "--secret-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File holding the shared signing secret (at least 16 bytes; stays on this server)",
)
@click.option("--off", is_flag=True, help="Stop sending this list's alerts to dispatch")
def dispatch(name: str, url: str | None, secret_file: Path | None, off: bool) -> None:
    """Send hotlist NAME's raised and verified alerts to dispatch as signed webhooks."""
    if off == bool(url or secret_file):
        raise click.UsageError("give --url and --secret-file, or --off")
    if not off and not (url and secret_file):
        raise click.UsageError("give both --url and --secret-file")
    migrate_database()
    from platekeeper.server.dispatch.actions import set_dispatch_target

    target = set_dispatch_target(
        name, requester=console_requester(), url=url, secret_file=str(secret_file or "")
    )
    if target is None:
        click.echo(f"Alerts on {name!r} are no longer sent to dispatch.")
    else:
        click.echo(f"Alerts on {name!r} are sent to {target.url} (raised and verified).")

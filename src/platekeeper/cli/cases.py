"""`platekeeper cases import`: the case register, from the records system's export."""

from __future__ import annotations

from pathlib import Path

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database


@click.group()
def cases() -> None:
    """The case register: which case numbers exist and when each was open, so the audit
    report `unknown_case_numbers` finds accesses under a case that is not."""


@cases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(file: Path) -> None:
    """Import FILE (CSV: case_number,opened_on,closed_on,offense; dates YYYY-MM-DD, closed_on
    may be empty). A bad row refuses the whole file, naming its line and field; importing again
    updates the cases that changed. Audited."""
    migrate_database()
    from platekeeper.server.cases.actions import CaseError, import_cases, parse_cases

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CaseError(f"{file.name}: not a UTF-8 text file") from None
    try:
        rows = parse_cases(text)
    except CaseError as error:
        raise CaseError(f"{file.name}: {error}") from None
    summary = import_cases(file.name, rows, requester=console_requester())
    click.echo(
        f"{file.name}: {summary.created} cases added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged."
    )

"""`platekeeper compliance [--json]` and `compliance officials`: Policy 438 item by item."""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database

if TYPE_CHECKING:
    from platekeeper.server.compliance.checks import CheckResult

HEADER = ("RESULT", "OBLIGATION", "REFERENCE", "EVIDENCE")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON")
@click.pass_context
def compliance(ctx: click.Context, as_json: bool) -> None:
    """Check each obligation of Policy 438 and Civil Code §1798.90.51-.55, with its evidence.

    Exits 1 when any obligation fails. Each run is audited.
    """
    if ctx.invoked_subcommand is not None:
        return
    migrate_database()
    from platekeeper.server.compliance.actions import compliance_report

    results = compliance_report(requester=console_requester())
    click.echo(_json(results) if as_json else _table(results))
    if not all(result.passed for result in results):
        ctx.exit(1)


def _json(results: list[CheckResult]) -> str:
    return json.dumps(
        {
            "passed": all(result.passed for result in results),
            "checks": [dataclasses.asdict(result) for result in results],
        },
        indent=2,
        ensure_ascii=False,
    )


def _table(results: list[CheckResult]) -> str:
    """Aligned columns, the evidence last and unwrapped (so it can be searched and copied)."""
    rows = [HEADER] + [
        ("PASS" if r.passed else "FAIL", r.obligation, r.reference, r.evidence) for r in results
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(HEADER) - 1)]
    lines = ["  ".join([*map(str.ljust, row[:-1], widths), row[-1]]) for row in rows]
    failed = [r.key for r in results if not r.passed]
    met = len(results) - len(failed)
    summary = f"{met} of {len(results)} obligations met."
    if failed:
        summary += f" Failing: {', '.join(failed)}."
    return "\n".join([*lines, "", summary])


@compliance.command("officials")
@click.option("--administrator-name", help="Who administers the ALPR program (438.2.1)")
@click.option(
    "--administrator-title", help="Their title (default: Administration Operations Commander)"
)
@click.option("--designee-name", help="The current designee overseeing the ALPR operation")
@click.option("--designee-title", help="The designee's title")
@click.option(
    "--audit-every-days",
    type=click.IntRange(1, 365),
    help="An audit report is due at least this often (438.5(c); default 90)",
)
def officials(**given: str | int | None) -> None:
    """Name the ALPR administrator and designee (438.2.1(e)), or change the audit interval.

    Options not given keep their current value. Audited.
    """
    # Each value has its field's type: click converted it (text, or an int in range).
    changes: dict[str, Any] = {field: value for field, value in given.items() if value is not None}
    if not changes:
        raise click.UsageError("give at least one option to change (see --help)")
    migrate_database()
    from platekeeper.server.compliance.actions import Officials, name_officials

    named = name_officials(
        dataclasses.replace(Officials.current(), **changes), requester=console_requester()
    )
    click.echo(
        f"Administrator: {named.administrator_name} ({named.administrator_title}); "
        f"designee: {named.designee_name} ({named.designee_title}); "
        f"an audit report is due every {named.audit_every_days} days."
    )

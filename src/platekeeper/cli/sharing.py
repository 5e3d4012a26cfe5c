"""`platekeeper agency ...` and `sharing ...`: partner agencies and agreements (438.6, 438.9).

These change who may receive ALPR data, so they are administrative commands run on the server
itself; every change is audited under the console actor.
"""

from __future__ import annotations

import datetime as dt
import sys

import click

from platekeeper.cli.common import DATE, console_requester
from platekeeper.cli.django_setup import migrate_database

AGENCY_TYPES = ["law_enforcement", "prosecutorial", "other_public", "private"]
SCOPES = ["alerts", "hotlist_entries", "reads_on_request", "search"]


@click.group()
def agency() -> None:
    """Other agencies: partners, and public bodies that may file records requests."""


@agency.command("add")
@click.argument("name")
@click.option("--type", "kind", required=True, type=click.Choice(AGENCY_TYPES))
@click.option(
    "--jurisdiction", default="CA", show_default=True, help="Two-letter state, US for federal"
)
@click.option("--ori", default="", help="NCIC Originating Agency Identifier (9 characters)")
def add_agency_command(name: str, kind: str, jurisdiction: str, ori: str) -> None:
    """Record agency NAME."""
    migrate_database()
    from platekeeper.server.agencies.models import AgencyType
    from platekeeper.server.sharing.actions import add_agency

    row = add_agency(
        name,
        type=AgencyType(kind),
        jurisdiction=jurisdiction,
        ori=ori,
        requester=console_requester(),
    )
    click.echo(f"Agency {row.name!r} recorded ({row.get_type_display()}, {row.jurisdiction}).")


@agency.command("list")
def list_agencies() -> None:
    """Every agency, with its type and jurisdiction."""
    migrate_database()
    from platekeeper.server.agencies.models import Agency

    click.echo(f"{'ORI':<10} {'TYPE':<16} {'STATE':<6} NAME")
    for row in Agency.objects.order_by("-is_home", "name"):
        home = "  (this department)" if row.is_home else ""
        click.echo(f"{row.ori or '-':<10} {row.type:<16} {row.jurisdiction:<6} {row.name}{home}")


@click.group()
def sharing() -> None:
    """Sharing agreements, the sharing switch, agency tokens, the sharing log and self-check."""


@sharing.command("status")
def status() -> None:
    """The switch, each agreement and the last self-check."""
    migrate_database()
    from platekeeper.server.sharing.queries import (
        agreements_overview,
        latest_self_check,
        sharing_enabled,
    )

    click.echo(f"Sharing is {'ON' if sharing_enabled() else 'OFF'}.")
    rows = agreements_overview()
    if not rows:
        click.echo("No agreements. Record one with: platekeeper sharing agreement add ...")
    for row in rows:
        agreement = row.agreement
        click.echo(
            f"#{agreement.pk} {agreement.reference} with {agreement.partner.name}: {row.status}, "
            f"{agreement.starts_on} to {agreement.ends_on}, {', '.join(agreement.scopes)}"
            + (f"  ALARM: {row.problem}" if row.problem else "")
        )
    check = latest_self_check()
    if check is None:
        click.echo("The self-check has not run yet: platekeeper sharing check")
    else:
        verdict = "matches the approved agreements" if check.ok else "DRIFT"
        click.echo(f"Last self-check {check.ran_at:%Y-%m-%d %H:%M} UTC: {verdict}")


@sharing.command("on")
@click.option("--reason", required=True, help="Why sharing is turned on (audited)")
def turn_on(reason: str) -> None:
    """Turn sharing on: partners then get exactly what their agreement allows."""
    migrate_database()
    from platekeeper.server.sharing.actions import set_sharing

    set_sharing(True, requester=console_requester(), reason=reason)
    click.echo("Sharing is ON.")


@sharing.command("off")
@click.option("--reason", default="", help="Why sharing is turned off (audited)")
def turn_off(reason: str) -> None:
    """Turn all sharing off at once."""
    migrate_database()
    from platekeeper.server.sharing.actions import set_sharing

    set_sharing(False, requester=console_requester(), reason=reason)
    click.echo("Sharing is OFF: no partner account or token reaches any data.")


@sharing.group("agreement")
def agreement() -> None:
    """Contracts and MOUs approved by the Chief of Police (438.6)."""


@agreement.command("add")
@click.option("--agency", "agency_name", required=True, help="The partner's name or ORI")
@click.option("--kind", type=click.Choice(["contract", "mou"]), default="mou", show_default=True)
@click.option("--reference", required=True, help="The document's number or title")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES))
@click.option("--purpose", "purposes", multiple=True, required=True, help="An allowed purpose")
@click.option("--partner-retention-days", required=True, type=int)
@click.option("--starts", required=True, type=DATE)
@click.option("--ends", required=True, type=DATE)
@click.option("--approved-by", required=True, help="Name of the Chief of Police who approved it")
@click.option("--approved-on", required=True, type=DATE)
def add_agreement_command(
    agency_name: str,
    kind: str,
    reference: str,
    scopes: tuple[str, ...],
    purposes: tuple[str, ...],
    partner_retention_days: int,
    starts: dt.date,
    ends: dt.date,
    approved_by: str,
    approved_on: dt.date,
) -> None:
    """Record an agreement; refused for a partner that may not receive ALPR data."""
    migrate_database()
    from platekeeper.server.sharing.actions import add_agreement, find_agency
    from platekeeper.server.sharing.models import AgreementKind

    row = add_agreement(
        find_agency(agency_name),
        kind=AgreementKind(kind),
        reference=reference,
        scopes=scopes,
        purposes=purposes,
        partner_retention_days=partner_retention_days,
        starts_on=starts,
        ends_on=ends,
        approved_by=approved_by,
        approved_on=approved_on,
        requester=console_requester(),
    )
    click.echo(f"Agreement #{row.pk} with {row.partner.name} recorded.")
    click.echo(
        "Sharing itself stays as it is; turn it on with: platekeeper sharing on --reason ..."
    )


@agreement.command("revoke")
@click.argument("agreement_id", type=int)
@click.option("--reason", required=True, help="Why the agreement ends now (audited)")
def revoke(agreement_id: int, reason: str) -> None:
    """End agreement AGREEMENT_ID at once."""
    migrate_database()
    from platekeeper.server.sharing.actions import revoke_agreement

    row = revoke_agreement(agreement_id, reason=reason, requester=console_requester())
    click.echo(f"Agreement #{row.pk} with {row.partner.name} revoked; its access ended.")


@sharing.command("token")
@click.argument("agency_name")
@click.option("--contact", required=True, help="The partner's person responsible for the token")
@click.option(
    "--attested-on", required=True, type=DATE, help="Date the partner attested ALPR training"
)
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 365))
def agency_token(agency_name: str, contact: str, attested_on: dt.date, days: int) -> None:
    """Issue an API token for partner AGENCY_NAME's system (shown once)."""
    migrate_database()
    from platekeeper.server.sharing.actions import create_agency_token, find_agency

    row, secret = create_agency_token(
        find_agency(agency_name),
        contact=contact,
        attested_on=attested_on,
        valid_days=days,
        requester=console_requester(),
    )
    click.echo(secret)
    click.echo(
        f"Token for {row.user.username} (expires {row.expires_at:%Y-%m-%d}); it is shown once.",
        err=True,
    )


@sharing.command("log")
@click.option("--agency", "agency_name", default="", help="Only this agency")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10000))
def sharing_log(agency_name: str, limit: int) -> None:
    """Disclosures to partner agencies, newest first."""
    migrate_database()
    from platekeeper.server.sharing.queries import disclosures

    rows = disclosures(console_requester(), agency=agency_name, page_size=limit).object_list
    if not rows:
        click.echo("Nothing has been shared.")
        return
    for row in rows:
        click.echo(
            f"{row.occurred_at:%Y-%m-%d %H:%M:%S} {row.agency} ({row.username}) "
            f"{row.what} purpose={row.purpose} case={row.case_number or '-'} "
            f"agreement={row.agreement.reference} audit=#{row.audit_event_id}"
        )


@sharing.command("check")
def check() -> None:
    """Compare the effective sharing state with the approved agreements; exit 1 on drift."""
    migrate_database()
    from platekeeper.server.sharing.selfcheck import run_self_check

    result = run_self_check(console_requester())
    if result.ok:
        click.echo("Sharing matches the approved agreements.")
        return
    for finding in result.findings:
        click.echo(f"DRIFT: {finding}", err=True)
    sys.exit(1)

"""Reading the sharing state: agreements with their status, the sharing log, the last check.

None of this is ALPR data (the log names what was disclosed, not the reads themselves); the
pages that show it are limited to administrators and auditors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Gated,
    Requester,
    held_permission,
    run_gated,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.sharing.integrity import agreement_problem
from platekeeper.server.sharing.models import Agreement, Disclosure, SelfCheck
from platekeeper.server.sharing.scope import current_settings


@dataclass(frozen=True)
class AgreementRow:
    agreement: Agreement
    status: str
    problem: str | None


def agreements_overview(today: dt.date | None = None) -> list[AgreementRow]:
    """Every agreement, newest first, with its status and any mismatch with its audit record."""
    today = today or timezone.localdate()
    agreements = Agreement.objects.select_related("partner").prefetch_related("purposes")
    return [
        AgreementRow(agreement, agreement.status(today), agreement_problem(agreement))
        for agreement in agreements.order_by("-recorded_at", "-id")
    ]


def partners_in_effect(today: dt.date | None = None) -> list[str]:
    """Names of the agencies with an agreement in effect today (public: 438.6 agreements)."""
    today = today or timezone.localdate()
    return sorted(
        Agreement.objects.in_effect(today).values_list("partner__name", flat=True).distinct()
    )


def agreements_published(today: dt.date | None = None) -> list[dict[str, Any]]:
    """Every agency that may search or receive this department's data today, with the scopes,
    purposes and term of each agreement in effect (public: 438.6 agreements, Civil Code
    §1798.90.55(b)); no person, only agencies and documents."""
    today = today or timezone.localdate()
    rows = (
        Agreement.objects.in_effect(today)
        .select_related("partner")
        .prefetch_related("purposes")
        .order_by("partner__name", "starts_on", "id")
    )
    return [
        {
            "agency": row.partner.name,
            "ori": row.partner.ori,
            "kind": row.kind,
            "reference": row.reference,
            "scopes": sorted(row.scopes),
            "purposes": sorted(purpose.code for purpose in row.purposes.all()),
            "starts_on": row.starts_on.isoformat(),
            "ends_on": row.ends_on.isoformat(),
        }
        for row in rows
    ]


def sharing_enabled() -> bool:
    return current_settings().sharing_enabled


def disclosures(
    requester: Requester,
    *,
    agency: str = "",
    page_number: str | int | None = None,
    page_size: int = 50,
) -> Page:
    """One page of the sharing log, newest first, optionally for one agency.

    The log says which records went to whom, so reading it is gated (managing sharing or
    viewing the audit) and itself audited (`sharing.log.view`, naming the rows shown)."""

    def fetch() -> Gated[Page]:
        rows = Disclosure.objects.select_related("agreement")
        if agency:
            rows = rows.filter(agency=agency)
        page = Paginator(rows, page_size).get_page(page_number)
        page.object_list = list(page.object_list)
        return Gated(page, record_ids=[str(row.pk) for row in page.object_list])

    return run_gated(
        requester,
        permission=held_permission(requester, (Permission.MANAGE_SHARING, Permission.VIEW_AUDIT)),
        justification=ADMINISTRATIVE,
        action="sharing.log.view",
        query={"agency": agency, "page": str(page_number or 1)},
        fetch=fetch,
    )


def latest_self_check() -> SelfCheck | None:
    return SelfCheck.objects.first()

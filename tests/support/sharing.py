"""Partner agencies and sharing agreements for tests, made through the real actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.sharing.actions import add_agency, add_agreement, set_sharing
from platekeeper.server.sharing.models import Agreement, AgreementKind
from tests.support.people import SETUP_REQUESTER


def partner_agency(
    name: str = "Oakland Police Department",
    *,
    type: AgencyType = AgencyType.LAW_ENFORCEMENT,
    jurisdiction: str = "CA",
) -> Agency:
    return add_agency(name, type=type, jurisdiction=jurisdiction, requester=SETUP_REQUESTER)


def agreement_with(
    agency: Agency,
    *,
    scopes: Sequence[str] = ("search",),
    purposes: Sequence[str] = ("stolen_vehicle",),
    days: int = 365,
) -> Agreement:
    """An MOU in effect from today for `days` days, approved by the Chief."""
    today = timezone.localdate()
    return add_agreement(
        agency,
        kind=AgreementKind.MOU,
        reference=f"MOU-{agency.pk}-{len(scopes)}",
        scopes=scopes,
        purposes=purposes,
        partner_retention_days=365,
        starts_on=today,
        ends_on=today + dt.timedelta(days=days),
        approved_by="Chief Jeremy Bowers",
        approved_on=today,
        requester=SETUP_REQUESTER,
    )


def sharing_on() -> None:
    set_sharing(True, requester=SETUP_REQUESTER, reason="MOU signed")

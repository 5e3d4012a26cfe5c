"""What a partner-agency account may do: exactly its agreement's scope, and nothing if sharing
is off, the agreement is not in effect, or a sharing row no longer matches its audit record.

The access gate asks `partner_agreement` for every account that is not the department's own: it
refuses with the reason, or names the agreement the access comes under in the sharing log.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.models import User
from platekeeper.server.access.roles import Permission
from platekeeper.server.agencies.models import Agency
from platekeeper.server.sharing.eligibility import eligibility_problem
from platekeeper.server.sharing.integrity import agreement_problem, settings_problem
from platekeeper.server.sharing.models import Agreement, Scope, SharingSettings

#: The scope a partner needs for each permission; a permission not listed is never shared.
SCOPE_OF_PERMISSION = {
    Permission.SEARCH_READS: Scope.SEARCH,
    Permission.CANVASS_READS: Scope.SEARCH,
    Permission.VIEW_ALERTS: Scope.ALERTS,
    Permission.RECEIVE_HOTLIST_ENTRIES: Scope.HOTLIST_ENTRIES,
}


def is_partner(user: User) -> bool:
    """An account of another agency (the department's own accounts have its home agency)."""
    return user.agency is not None and not user.agency.is_home


def current_settings() -> SharingSettings:
    settings, _ = SharingSettings.objects.get_or_create(pk=1)
    return settings


def agreements_in_effect(agency_id: int, today: dt.date) -> list[Agreement]:
    in_effect = Agreement.objects.in_effect(today).filter(partner_id=agency_id)
    return list(
        in_effect.select_related("partner").prefetch_related("purposes").order_by("ends_on", "id")
    )


def partner_agreement(
    user: User, permission: Permission, purpose: str, today: dt.date | None = None
) -> tuple[Agreement | None, str | None]:
    """The agreement that allows this partner access, or None and why it is refused."""
    if user.agency is None:
        return None, "only an account of a partner agency comes under a sharing agreement"
    return agency_agreement(user.agency, permission, purpose, today)


def agency_agreement(
    agency: Agency, permission: Permission, purpose: str, today: dt.date | None = None
) -> tuple[Agreement | None, str | None]:
    """The agreement that allows `agency` this access (its own account's, or one made on its
    behalf), or None and why it is refused."""
    today = today or timezone.localdate()
    settings = current_settings()
    problem = settings_problem(settings)
    if problem:
        return None, f"sharing is suspended: {problem}"
    if not settings.sharing_enabled:
        return None, "sharing with other agencies is turned off"
    agreements = agreements_in_effect(agency.id, today)
    if not agreements:
        return None, f"{agency.name} has no sharing agreement in effect"
    scope = SCOPE_OF_PERMISSION.get(permission)
    if scope is None:
        return None, f"no agreement shares the right to {permission.label.lower()}"
    covering = [a for a in agreements if scope.value in a.scopes]
    if not covering:
        return None, f"the agreement with {agency.name} does not include {scope.label.lower()}"
    if purpose:
        covering = [a for a in covering if purpose in {p.code for p in a.purposes.all()}]
        if not covering:
            return None, f"purpose: {purpose!r} is not a purpose the agreement allows"
    problem = agreement_problem(covering[0])
    if problem:
        return None, f"sharing is suspended: {problem}"
    return covering[0], None


def partner_purposes(user: User, today: dt.date | None = None) -> set[str]:
    """The purposes any agreement in effect allows this partner (what its purpose form offers)."""
    if user.agency_id is None:
        return set()
    today = today or timezone.localdate()
    return {
        purpose.code
        for agreement in agreements_in_effect(user.agency_id, today)
        for purpose in agreement.purposes.all()
    }


def agency_named(name_or_ori: str) -> Agency | None:
    """The agency with this name (exact, else ignoring case) or NCIC ORI, or None."""
    key = name_or_ori.strip()
    if not key:
        return None
    return (
        Agency.objects.filter(name=key).first()
        or Agency.objects.filter(ori=key.upper()).first()
        or Agency.objects.filter(name__iexact=key).first()
    )


def beneficiary_agreement(
    name_or_ori: str, permission: Permission, purpose: str
) -> tuple[Agreement | None, str | None]:
    """The agreement an access made on behalf of another agency comes under, or None and why it
    is refused: the rules of that agency's own search, so a federal or out-of-state request
    cannot be laundered through one of this department's officers (Civil Code §1798.90.55(b)).
    On behalf of this department itself: no agreement and no refusal."""
    not_eligible = "on_behalf_of: not eligible for an agreement:"
    agency = agency_named(name_or_ori)
    if agency is None:
        return None, (
            f"{not_eligible} {name_or_ori.strip()!r} is no agency this department has recorded; "
            "ALPR data goes only to California public agencies with a sharing agreement "
            "(Civil Code §1798.90.55(b))"
        )
    if agency.is_home:
        return None, None
    problem = eligibility_problem(agency)
    if problem:
        return None, f"{not_eligible} {problem.removeprefix('agency: ')}"
    agreement, problem = agency_agreement(agency, permission, purpose)
    if problem:
        return None, f"on_behalf_of: no agreement: {problem}"
    return agreement, None

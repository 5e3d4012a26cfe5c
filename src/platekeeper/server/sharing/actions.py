"""Every change to sharing: partner agencies, agreements, the switch and agency tokens; audited.

An agreement is refused unless its partner may receive ALPR data at all (eligibility.py). Each
change writes its full terms to the audit log in the same transaction (see integrity.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Requester,
    authorize,
    change,
    record_change,
    record_refusal,
)
from platekeeper.server.access.models import PersonalToken, Purpose, TrainingRecord, User
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.sharing.eligibility import eligibility_problem
from platekeeper.server.sharing.integrity import SETTINGS_ACTION, agreement_terms
from platekeeper.server.sharing.models import Agreement, AgreementKind, Scope
from platekeeper.server.sharing.scope import agency_named, agreements_in_effect, current_settings


class SharingError(PlatekeeperError, ValueError):
    """A sharing change was refused; the message names the field and says why."""


# --- Agencies ----------------------------------------------------------------------------


@change(Permission.MANAGE_SHARING, "sharing.agency.add")
def add_agency(
    name: str, *, type: AgencyType, jurisdiction: str, requester: Requester, ori: str = ""
) -> Agency:
    """Record another agency (any type: a private one may still file a records request)."""
    name, jurisdiction, ori = name.strip(), jurisdiction.strip().upper(), ori.strip().upper()
    if not name:
        raise SharingError("name: must not be empty")
    if Agency.objects.filter(name=name).exists():
        raise SharingError(f"name: an agency named {name!r} already exists")
    if len(jurisdiction) != 2 or not jurisdiction.isalpha():
        raise SharingError("jurisdiction: a two-letter state, or US for a federal agency")
    if ori and (len(ori) != 9 or not ori.isalnum()):
        raise SharingError("ori: an NCIC ORI has 9 letters and digits")
    agency = Agency.objects.create(name=name, type=type, jurisdiction=jurisdiction, ori=ori)
    record_change(
        requester,
        ADMINISTRATIVE,
        action="agency.add",
        query={"agency": name, "type": type.value, "jurisdiction": jurisdiction, "ori": ori},
    )
    return agency


def find_agency(name_or_ori: str) -> Agency:
    agency = agency_named(name_or_ori)
    if agency is None:
        raise SharingError(f"agency: no agency named (or with ORI) {name_or_ori.strip()!r}")
    return agency


# --- Agreements --------------------------------------------------------------------------


def add_agreement(
    partner: Agency,
    *,
    kind: AgreementKind,
    reference: str,
    scopes: Sequence[str],
    purposes: Sequence[str],
    partner_retention_days: int,
    starts_on: dt.date,
    ends_on: dt.date,
    approved_by: str,
    approved_on: dt.date,
    requester: Requester,
) -> Agreement:
    """Record an agreement the Chief of Police approved, after checking everything it names.

    An ineligible partner is refused with an audited refusal: an attempt to share with a
    private company or an out-of-state agency is something an auditor wants to see.
    """
    authorize(
        requester,
        permission=Permission.MANAGE_SHARING,
        justification=ADMINISTRATIVE,
        action="sharing.agreement.add",
        query={"partner": partner.name},
    )
    problem = eligibility_problem(partner)
    if problem:
        record_refusal(
            requester,
            action="sharing.agreement.add",
            query={"partner": partner.name},
            reason=problem,
        )
        raise SharingError(problem)
    purpose_rows = _checked_terms(
        reference, scopes, purposes, partner_retention_days, starts_on, ends_on, approved_by
    )
    with transaction.atomic():
        agreement = Agreement.objects.create(
            partner=partner,
            kind=kind,
            reference=reference.strip(),
            scopes=sorted(set(scopes)),
            partner_retention_days=partner_retention_days,
            starts_on=starts_on,
            ends_on=ends_on,
            approved_by=approved_by.strip(),
            approved_on=approved_on,
            recorded_by=requester.username,
            recorded_at=timezone.now(),
        )
        agreement.purposes.set(purpose_rows)
        _audit_terms(agreement, requester, "sharing.agreement.add")
    return agreement


def _checked_terms(
    reference: str,
    scopes: Sequence[str],
    purposes: Sequence[str],
    retention_days: int,
    starts_on: dt.date,
    ends_on: dt.date,
    approved_by: str,
) -> list[Purpose]:
    if not reference.strip():
        raise SharingError("reference: name the contract or MOU (its number or title)")
    if not scopes:
        raise SharingError(f"scope: choose at least one of {', '.join(Scope.values)}")
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown:
        raise SharingError(
            f"scope: {', '.join(unknown)} unknown (one of {', '.join(Scope.values)})"
        )
    if not purposes:
        raise SharingError("purposes: name at least one purpose the partner may use data for")
    rows = list(Purpose.objects.filter(code__in=purposes, active=True))
    missing = sorted(set(purposes) - {row.code for row in rows})
    if missing:
        raise SharingError(f"purposes: {', '.join(missing)} not known purposes")
    if retention_days < 1:
        raise SharingError("partner_retention_days: must be at least 1")
    if ends_on < starts_on:
        raise SharingError("ends_on: must not be before starts_on")
    if ends_on < timezone.localdate():
        raise SharingError("ends_on: the agreement has already ended")
    if not approved_by.strip():
        raise SharingError("approved_by: name the Chief of Police who approved it (438.6)")
    return rows


@change(Permission.MANAGE_SHARING, "sharing.agreement.revoke")
def revoke_agreement(agreement_id: int, *, reason: str, requester: Requester) -> Agreement:
    """End an agreement at once: its partner's next request is refused."""
    agreement = Agreement.objects.select_for_update().filter(pk=agreement_id).first()
    if agreement is None:
        raise SharingError(f"agreement: no agreement #{agreement_id}")
    if agreement.revoked_at is not None:
        raise SharingError(f"agreement: #{agreement_id} was already revoked")
    if not reason.strip():
        raise SharingError("reason: say why the agreement is revoked")
    agreement.revoked_at, agreement.revoked_by = timezone.now(), requester.username
    agreement.revoke_reason = reason.strip()[:300]
    agreement.save()
    _audit_terms(agreement, requester, "sharing.agreement.revoke", reason=agreement.revoke_reason)
    return agreement


def _audit_terms(agreement: Agreement, requester: Requester, action: str, reason: str = "") -> None:
    record_change(
        requester, ADMINISTRATIVE, action=action, reason=reason, query=agreement_terms(agreement)
    )


# --- The switch --------------------------------------------------------------------------


@change(Permission.MANAGE_SHARING, SETTINGS_ACTION)
def set_sharing(enabled: bool, *, requester: Requester, reason: str = "") -> None:
    """Turn all sharing on or off. Turning it on needs a reason and an agreement in effect."""
    settings = current_settings()
    if enabled and not reason.strip():
        raise SharingError("reason: say why sharing is turned on")
    if enabled and not Agreement.objects.in_effect(timezone.localdate()).exists():
        raise SharingError("sharing: no agreement is in effect; record one first")
    before = settings.sharing_enabled
    settings.sharing_enabled = enabled
    settings.updated_at, settings.updated_by = timezone.now(), requester.username
    settings.save()
    record_change(
        requester,
        ADMINISTRATIVE,
        action=SETTINGS_ACTION,
        reason=reason.strip(),
        query={"sharing_enabled": {"before": before, "after": enabled}},
    )


# --- Agency-to-agency tokens -------------------------------------------------------------


@change(Permission.MANAGE_SHARING, "sharing.token.attest")
def create_agency_token(
    partner: Agency,
    *,
    contact: str,
    attested_on: dt.date,
    requester: Requester,
    valid_days: int = 90,
) -> tuple[PersonalToken, str]:
    """An API token for a partner agency's system, acting as the agency's service account.

    The partner attests that the people behind its system completed ALPR training; the
    attestation is recorded as the service account's training, so it lapses after a year like
    anyone's. The account has the partner role: the gate then allows exactly the agreement.
    """
    problem = eligibility_problem(partner)
    if problem:
        raise SharingError(problem)
    if not agreements_in_effect(partner.pk, timezone.localdate()):
        raise SharingError(f"agency: {partner.name} has no sharing agreement in effect")
    if not contact.strip():
        raise SharingError("contact: name the partner's person responsible for the token")
    if attested_on > timezone.localdate():
        raise SharingError("attested_on: must not be in the future")
    account = _service_account(partner)
    TrainingRecord.objects.create(
        user=account,
        course=f"Training attested by {partner.name} ({contact.strip()})",
        completed_on=attested_on,
        expires_on=attested_on + dt.timedelta(days=365),
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="sharing.token.attest",
        query={"agency": partner.name, "contact": contact.strip(), "attested_on": str(attested_on)},
    )
    return create_personal_token(account.username, requester=requester, valid_days=valid_days)


def _service_account(partner: Agency) -> User:
    username = f"agency-{(partner.ori or str(partner.pk)).lower()}"
    account = User.objects.filter(username=username).first()
    if account is None:
        account = User(username=username, agency=partner, last_name=partner.name)
        account.set_unusable_password()
        account.save()
        account.groups.set([Group.objects.get(name=Role.PARTNER.value)])
    if account.agency_id != partner.pk:
        raise SharingError(f"agency: the account {username!r} belongs to another agency")
    return account

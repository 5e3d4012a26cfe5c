"""Who an agreement may be made with, what it must name, and the switch that is off by default."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.actions import AccountError
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.sharing.actions import SharingError, revoke_agreement, set_sharing
from platekeeper.server.sharing.models import Agreement
from platekeeper.server.sharing.queries import sharing_enabled
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def test_an_agreement_with_a_private_company_is_refused_and_the_attempt_audited():
    vendor = partner_agency("Lot Watch LLC", type=AgencyType.PRIVATE)

    with pytest.raises(SharingError, match=r"private entity.*1798\.90\.55\(b\)"):
        agreement_with(vendor)

    assert not Agreement.objects.exists()
    refusal = AuditEvent.objects.get(action="sharing.agreement.add")
    assert refusal.outcome == Outcome.DENIED
    assert "private entity" in refusal.reason


@pytest.mark.parametrize(
    ("type", "jurisdiction", "why"),
    [
        (AgencyType.LAW_ENFORCEMENT, "NV", r"NV, not a California agency.*2023-DLE-06"),
        (AgencyType.LAW_ENFORCEMENT, "US", r"a federal agency.*2023-DLE-06"),
        (AgencyType.OTHER_PUBLIC, "CA", r"not a law-enforcement or prosecutorial agency"),
    ],
)
def test_out_of_state_federal_and_non_law_enforcement_agencies_are_refused(type, jurisdiction, why):
    agency = partner_agency("Some Agency", type=type, jurisdiction=jurisdiction)

    with pytest.raises(SharingError, match=why):
        agreement_with(agency)


def test_a_california_prosecutor_may_have_an_agreement_and_its_terms_are_audited():
    da = partner_agency("Alameda County District Attorney", type=AgencyType.PROSECUTORIAL)

    agreement = agreement_with(da, scopes=["search", "alerts"], purposes=["warrant"])

    event = AuditEvent.objects.filter(action="sharing.agreement.add").get()
    assert event.query["partner"] == "Alameda County District Attorney"
    assert event.query["scopes"] == ["alerts", "search"]
    assert event.query["purposes"] == ["warrant"]
    assert agreement.in_effect(timezone.localdate())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scopes": []}, "scope"),
        ({"scopes": ["everything"]}, "scope"),
        ({"purposes": ["curiosity"]}, "purposes"),
        ({"days": -3}, "ends_on"),
    ],
)
def test_an_incomplete_agreement_names_the_field(change, field):
    agency = partner_agency()

    with pytest.raises(SharingError, match=f"^{field}:"):
        agreement_with(agency, **change)


def test_sharing_is_off_until_turned_on_with_a_reason_and_an_agreement():
    assert not sharing_enabled()
    with pytest.raises(SharingError, match="no agreement is in effect"):
        sharing_on()
    agreement_with(partner_agency())
    with pytest.raises(SharingError, match="reason"):
        set_sharing(True, requester=SETUP_REQUESTER)

    sharing_on()

    assert sharing_enabled()
    event = AuditEvent.objects.filter(action="sharing.settings").get()
    assert event.query == {"sharing_enabled": {"before": False, "after": True}}


def test_a_revoked_agreement_cannot_be_revoked_again():
    agreement = agreement_with(partner_agency())
    revoke_agreement(agreement.pk, reason="MOU terminated by council", requester=SETUP_REQUESTER)

    with pytest.raises(SharingError, match="already revoked"):
        revoke_agreement(agreement.pk, reason="again", requester=SETUP_REQUESTER)
    assert agreement.partner.name in AuditEvent.objects.get(
        action="sharing.agreement.revoke"
    ).query.get("partner", "")


def test_partner_accounts_belong_to_an_eligible_other_agency():
    with pytest.raises(AccountError, match="belongs to another agency"):
        make_user("pat", Role.PARTNER)
    oakland = partner_agency()
    with pytest.raises(AccountError, match="can only have the partner role"):
        make_user("olive", Role.INVESTIGATOR, agency=oakland)
    vendor = partner_agency("Lot Watch LLC", type=AgencyType.PRIVATE)
    with pytest.raises(AccountError, match="private entity"):
        make_user("vic", Role.PARTNER, agency=vendor)

    assert make_user("alex", Role.PARTNER, agency=oakland).agency == oakland


def test_an_agreement_that_starts_later_is_pending():
    agreement = agreement_with(partner_agency())
    later = agreement.starts_on - dt.timedelta(days=1)

    assert agreement.status(later) == "pending"
    assert agreement.status(agreement.ends_on + dt.timedelta(days=1)) == "ended"

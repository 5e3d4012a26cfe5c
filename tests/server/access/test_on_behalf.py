"""Searches on another agency's behalf: only as that agency's own search would be allowed
(Civil Code §1798.90.55(b); AG bulletin 2023-DLE-06), and then in the sharing log."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.audit import refusal_kind
from platekeeper.server.access.gate import AccessDenied, Justification
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.reports import build_report
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import search_plate
from platekeeper.server.sharing.models import Disclosure
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _justification(agency: str, person: str = "") -> Justification:
    return Justification(
        purpose="stolen_vehicle",
        case_number="24-0311",
        on_behalf_of_agency=agency,
        on_behalf_of_person=person,
    )


@pytest.fixture
def stored():
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])


@pytest.fixture
def oakland_mou():
    """Oakland PD with an MOU covering search, and sharing on."""
    agreement = agreement_with(partner_agency())
    sharing_on()
    return agreement


def _search(justification: Justification, user=None):
    requester = as_person(user or make_user(), channel="api")
    return search_plate(requester, justification, plate="7ABC123")


def _refusal(justification: Justification) -> tuple[str, AuditEvent]:
    with pytest.raises(AccessDenied) as refused:
        _search(justification)
    assert refused.value.status == 403
    event = AuditEvent.objects.get(action="reads.search")
    assert (event.outcome, event.reason) == (Outcome.DENIED, str(refused.value))
    assert not Disclosure.objects.exists()
    return str(refused.value), event


@pytest.mark.parametrize(
    ("name", "kind", "jurisdiction", "law"),
    [
        ("Federal Bureau of Investigation", AgencyType.LAW_ENFORCEMENT, "US", "a federal agency"),
        ("Reno Police Department", AgencyType.LAW_ENFORCEMENT, "NV", "NV, not a California"),
        ("Acme Repossession", AgencyType.PRIVATE, "CA", "Civil Code §1798.90.55(b)"),
    ],
)
def test_a_search_for_an_ineligible_agency_is_refused_and_audited(
    stored, oakland_mou, name, kind, jurisdiction, law
):
    """GIVEN sharing on WHEN an officer searches on behalf of a federal, out-of-state or
    private body THEN the gate refuses it as that body's own search would be."""
    partner_agency(name, type=kind, jurisdiction=jurisdiction)

    reason, event = _refusal(_justification(name, "SA Smith"))

    assert reason.startswith("on_behalf_of: not eligible for an agreement:")
    assert law in reason
    assert refusal_kind(reason) == "no agreement"  # as the transparency page counts it
    assert event.query["on_behalf_of"] == {"agency": name, "person": "SA Smith"}


def test_who_asked_is_screened_for_a_prohibited_purpose(stored, oakland_mou):
    """GIVEN an eligible partner WHEN the requesting person is stated as an ICE officer THEN
    the search is refused for a prohibited purpose (Gov. Code §7284.6)."""
    reason, _ = _refusal(_justification("Oakland Police Department", "ICE officer Doe"))

    assert reason.startswith("prohibited purpose: on_behalf_of mentions 'ICE'")


def test_an_unknown_agency_is_not_eligible(stored):
    reason, _ = _refusal(_justification("Some Federal Task Force"))

    assert reason.startswith(
        "on_behalf_of: not eligible for an agreement: 'Some Federal Task Force' is no agency"
    )


def test_a_california_agency_without_an_agreement_is_refused(stored, oakland_mou):
    partner_agency("Berkeley Police Department")

    reason, _ = _refusal(_justification("Berkeley Police Department"))

    assert reason == (
        "on_behalf_of: no agreement: Berkeley Police Department has no sharing agreement in effect"
    )


def test_an_agreement_that_does_not_cover_search_is_refused(stored, oakland_mou):
    agreement_with(partner_agency("Berkeley Police Department"), scopes=("alerts",))

    reason, _ = _refusal(_justification("Berkeley Police Department"))

    assert reason.startswith("on_behalf_of: no agreement: the agreement with Berkeley")


def test_a_search_for_an_eligible_partner_is_written_to_the_sharing_log(stored, oakland_mou):
    """GIVEN an MOU covering search WHEN an officer searches for the partner (named by ORI)
    THEN it is allowed, the audit event names the beneficiary and the sharing log has it."""
    agreement = oakland_mou
    oakland = agreement.partner
    oakland.ori = "CA0010900"
    oakland.save()

    page = _search(_justification("ca0010900", "Det. Rivera"))

    assert len(page.results) == 1
    event = AuditEvent.objects.get(action="reads.search")
    assert event.outcome == Outcome.ALLOWED
    assert event.query["on_behalf_of"] == {"agency": "ca0010900", "person": "Det. Rivera"}
    logged = Disclosure.objects.get()
    assert (logged.agreement, logged.agency, logged.username) == (
        agreement,
        "Oakland Police Department",
        "Det. Rivera",
    )
    assert (logged.audit_event_id, logged.record_count) == (event.pk, 1)


def test_the_beneficiary_shows_in_the_auditors_event_reports(stored, oakland_mou):
    partner_agency("Reno Police Department", jurisdiction="NV")
    _refusal(_justification("Reno Police Department", "Sgt. Kay"))

    today = timezone.localdate()
    report = build_report("denied", requester=SETUP_REQUESTER, start=today, end=today)

    row = dict(zip(report.columns, report.rows[-1], strict=True))
    assert row["on behalf of"] == "Reno Police Department / Sgt. Kay"


def test_this_departments_own_name_is_no_beneficiary(stored):
    home = make_user().agency

    page = _search(_justification(home.name), user=make_user("ivan"))

    assert len(page.results) == 1
    assert not Disclosure.objects.exists()


def test_a_partner_account_may_not_search_for_a_third_agency(stored, oakland_mou):
    oakland = oakland_mou.partner
    partner_agency("Federal Bureau of Investigation", jurisdiction="US")
    officer = make_user("olivia", Role.PARTNER, agency=oakland)

    with pytest.raises(AccessDenied, match="asks for its own agency only"):
        _search(_justification("Federal Bureau of Investigation"), user=officer)


def test_the_api_refuses_a_federal_beneficiary_and_logs_a_partners(stored, oakland_mou):
    partner_agency("Federal Bureau of Investigation", jurisdiction="US")
    make_user()
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    path = "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=24-0311"

    federal = client.get(f"{path}&on_behalf_of=Federal Bureau of Investigation")
    partner = client.get(
        f"{path}&on_behalf_of=Oakland Police Department&on_behalf_of_person=Det. Rivera"
        "&note=stolen from Lakeshore Ave"
    )

    assert federal.status_code == 403
    assert "on_behalf_of: not eligible for an agreement" in federal.json()["detail"]
    assert partner.status_code == 200, partner.content
    allowed = AuditEvent.objects.get(action="reads.search", outcome=Outcome.ALLOWED)
    assert allowed.query["note"] == "stolen from Lakeshore Ave"
    assert Disclosure.objects.get().username == "Det. Rivera"


def test_the_api_screens_the_note(stored):
    make_user()
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]

    response = Client().get(
        "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=24-0311"
        "&note=deportation case",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 403
    assert "prohibited purpose" in response.json()["detail"]

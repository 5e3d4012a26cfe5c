"""A partner gets exactly its agreement, through the same gate, and every access is logged twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.access.models import AuditEvent, Outcome, User
from platekeeper.server.access.roles import Role
from platekeeper.server.alerts.queries import list_alerts
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import search_plate
from platekeeper.server.sharing.actions import create_agency_token, revoke_agreement, set_sharing
from platekeeper.server.sharing.models import Agreement, Disclosure, SharingSettings
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

STOLEN = Justification(purpose="stolen_vehicle", case_number="OPD-26-1180")


@pytest.fixture
def oakland():
    return partner_agency()


@pytest.fixture
def agreement(oakland) -> Agreement:
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])
    made = agreement_with(oakland, scopes=["search"], purposes=["stolen_vehicle"], days=90)
    sharing_on()
    return made


@pytest.fixture
def partner(oakland, agreement) -> Requester:
    return Requester(make_user("alex", Role.PARTNER, agency=oakland), channel="api")


def search(requester: Requester, justification: Justification = STOLEN):
    return search_plate(requester, justification, plate="7ABC123")


def test_a_partner_searches_within_its_agreement_and_both_logs_record_it(partner, agreement):
    page = search(partner)

    assert [read.plate for read in page.results] == ["7ABC123"]
    event = AuditEvent.objects.filter(action="reads.search", outcome=Outcome.ALLOWED).get()
    assert event.agency == "Oakland Police Department"
    assert event.username == "alex"
    disclosure = Disclosure.objects.get()
    assert disclosure.agreement == agreement
    assert disclosure.agency == "Oakland Police Department"
    assert disclosure.audit_event_id == event.pk
    assert (disclosure.purpose, disclosure.case_number) == ("stolen_vehicle", "OPD-26-1180")
    assert disclosure.record_count == 1


def test_what_the_agreement_does_not_include_is_refused(partner):
    with pytest.raises(AccessDenied, match="does not include alerts only"):
        list_alerts(partner, STOLEN)
    with pytest.raises(AccessDenied, match="'warrant' is not a purpose the agreement allows"):
        search(partner, Justification(purpose="warrant", case_number="W-1"))

    assert not Disclosure.objects.exists()
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, username="alex")
    assert denied.count() == 2
    assert {event.agency for event in denied} == {"Oakland Police Department"}


def test_a_revoked_agreement_ends_access_at_once(partner, agreement):
    search(partner)
    revoke_agreement(agreement.pk, reason="MOU terminated", requester=SETUP_REQUESTER)

    with pytest.raises(AccessDenied, match="no sharing agreement in effect"):
        search(partner)
    assert Disclosure.objects.count() == 1


def test_an_agreement_past_its_end_date_gives_nothing(partner, agreement):
    after_the_end = dt.datetime.combine(agreement.ends_on + dt.timedelta(days=1), dt.time(12))

    with (
        time_machine.travel(timezone.make_aware(after_the_end), tick=False),
        pytest.raises(AccessDenied, match="no sharing agreement in effect"),
    ):
        search(partner)


def test_turning_sharing_off_stops_every_partner(partner):
    set_sharing(False, requester=SETUP_REQUESTER, reason="review")

    with pytest.raises(AccessDenied, match="sharing with other agencies is turned off"):
        search(partner)


def test_a_partner_still_needs_current_training(oakland, agreement):
    lapsed = Requester(make_user("lee", Role.PARTNER, agency=oakland, training="lapsed"), "api")

    with pytest.raises(AccessDenied, match="training lapsed"):
        search(lapsed)


def test_sharing_switched_on_behind_platekeepers_back_gives_nothing(partner):
    set_sharing(False, requester=SETUP_REQUESTER, reason="review")
    SharingSettings.objects.update(sharing_enabled=True)  # a hand edit in the database

    with pytest.raises(AccessDenied, match="was not switched on through platekeeper"):
        search(partner)


def test_an_agreement_un_revoked_by_hand_gives_nothing(partner, agreement):
    revoke_agreement(agreement.pk, reason="MOU terminated", requester=SETUP_REQUESTER)
    Agreement.objects.filter(pk=agreement.pk).update(revoked_at=None)

    with pytest.raises(AccessDenied, match=r"differs from what was approved \(revoked changed"):
        search(partner)


def test_the_departments_own_staff_are_unaffected_by_sharing(agreement):
    set_sharing(False, requester=SETUP_REQUESTER, reason="review")
    own = Requester(make_user("ines"), channel="api")

    assert len(search(own).results) == 1
    assert not Disclosure.objects.exists()


def test_an_agency_token_reaches_exactly_the_agreement_over_the_api(oakland, agreement):
    _, secret = create_agency_token(
        oakland,
        contact="Sgt. Dana Reyes",
        attested_on=timezone.localdate() - dt.timedelta(days=10),
        requester=SETUP_REQUESTER,
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    query = {"plate": "7ABC123", "purpose": "stolen_vehicle", "case_number": "OPD-26-1180"}

    found = client.get("/api/v1/reads/search", query)
    refused = client.get("/api/v1/alerts", {"purpose": "stolen_vehicle", "case_number": "X"})

    assert found.status_code == 200, found.content
    assert [read["plate"] for read in found.json()["results"]] == ["7ABC123"]
    assert refused.status_code == 403
    assert "does not include alerts only" in refused.json()["detail"]
    disclosure = Disclosure.objects.get()
    assert disclosure.username == "agency-" + str(oakland.pk)
    assert disclosure.agency == "Oakland Police Department"


def test_a_hotlist_entries_agreement_hands_the_partner_our_live_entries(oakland):
    stolen = create_hotlist("Stolen vehicles", requester=SETUP_REQUESTER, category="stolen_vehicle")
    add_entry(stolen, "8FOX417", requester=SETUP_REQUESTER, state="CA", case_number="PPD-26-77")
    agreement_with(oakland, scopes=["hotlist_entries"], purposes=["stolen_vehicle"])
    sharing_on()
    make_user("alex", Role.PARTNER, agency=oakland)
    make_user("ines")
    query = {"purpose": "stolen_vehicle", "case_number": "OPD-26-1180"}

    shared = _signed_in_api("alex").get("/api/v1/shared/hotlist-entries", query)
    own_staff = _signed_in_api("ines").get("/api/v1/shared/hotlist-entries", query)

    assert shared.status_code == 200, shared.content
    assert [(e["plate"], e["case_number"]) for e in shared.json()] == [("8FOX417", "PPD-26-77")]
    assert Disclosure.objects.get().what == "hotlists.shared_entries: 1 records"
    assert own_staff.status_code == 403


def _signed_in_api(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client

"""The purpose form states on whose behalf an investigation is made, and the department's
case-number format is checked there: the web side of issue 15, items 2 and 3."""

from __future__ import annotations

import pytest

from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.cases.actions import set_case_number_format
from platekeeper.server.sharing.models import Disclosure
from tests.support.people import SETUP_REQUESTER
from tests.support.sharing import agreement_with, partner_agency, sharing_on
from tests.web.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _state(client, **fields: str):
    stated = {"purpose": "stolen_vehicle", "case_number": "24-0113", **fields}
    return client.post("/purpose", stated)


@pytest.fixture
def sharing():
    agreement_with(partner_agency())
    sharing_on()
    partner_agency("Federal Bureau of Investigation", jurisdiction="US")


def test_a_search_on_behalf_of_a_federal_agency_is_refused(stored_reads, sharing):
    officer = signed_in("ines")
    assert _state(officer, on_behalf_of="Federal Bureau of Investigation").status_code == 302

    refused = officer.get("/search", {"plate": "6TRL204"})

    assert refused.status_code == 403
    assert "not a California agency" in refused.content.decode()
    event = AuditEvent.objects.get(action="reads.search")
    assert event.outcome == Outcome.DENIED
    assert event.query["on_behalf_of"] == {"agency": "Federal Bureau of Investigation"}
    assert not Disclosure.objects.exists()


def test_a_search_for_a_partner_is_shown_and_lands_in_the_sharing_log(stored_reads, sharing):
    officer = signed_in("ines")
    stated = _state(
        officer, on_behalf_of="Oakland Police Department", on_behalf_of_person="Det. Rivera"
    )

    page = officer.get("/search", {"plate": "6TRL204"})

    assert stated.status_code == 302
    assert page.status_code == 200
    assert "On behalf of:</strong> Oakland Police Department" in page.content.decode()
    logged = Disclosure.objects.get()
    assert (logged.agency, logged.username, logged.record_count) == (
        "Oakland Police Department",
        "Det. Rivera",
        3,
    )
    auditor = signed_in("aud", Role.AUDITOR)
    assert "Det. Rivera" in auditor.get("/audit").content.decode()


def test_the_purpose_form_refuses_a_malformed_case_number_once_a_format_is_set(db):
    officer = signed_in("ines")
    assert _state(officer, case_number="x").status_code == 302
    set_case_number_format(r"\d{2}-\d{4}", example="24-0113", requester=SETUP_REQUESTER)

    refused = _state(officer, case_number="x")

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "case_number: &#x27;x&#x27; is not a case number" in page
    assert "24-0113" in page
    assert _state(officer).status_code == 302

"""The sharing page: administrators record agreements and flip the switch; auditors look."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.sharing.models import Agreement, Disclosure, SharingSettings
from platekeeper.server.sharing.queries import sharing_enabled
from platekeeper.server.sharing.selfcheck import run_self_check
from tests.support.people import PASSWORD, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on
from tests.web.conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def agreement_form(partner_id: int) -> dict:
    return {
        "partner": partner_id,
        "kind": "mou",
        "reference": "MOU 2026-07",
        "scopes": ["search"],
        "purposes": ["stolen_vehicle", "warrant"],
        "partner_retention_days": 365,
        "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY + dt.timedelta(days=365)).isoformat(),
        "approved_by": "Chief Jeremy Bowers",
        "approved_on": TODAY.isoformat(),
    }


def test_an_administrator_records_an_agreement_and_turns_sharing_on():
    admin = signed_in("ada", Role.ADMINISTRATOR)
    oakland = partner_agency()

    empty = admin.get("/sharing")
    recorded = admin.post("/sharing/agreement", agreement_form(oakland.pk))
    switched = admin.post("/sharing/switch", {"enabled": "1", "reason": "MOU signed"})
    page = admin.get("/sharing")

    assert "No sharing agreements" in empty.content.decode()
    assert recorded.status_code == 302, recorded.content.decode()
    assert switched.status_code == 302
    assert sharing_enabled()
    html = page.content.decode()
    assert "MOU 2026-07" in html
    assert "in effect" in html
    assert "Nothing has been disclosed to another agency" in html


def test_the_page_explains_why_a_private_company_is_refused():
    admin = signed_in("ada", Role.ADMINISTRATOR)
    vendor = partner_agency("Lot Watch LLC", type=AgencyType.PRIVATE)

    refused = admin.post("/sharing/agreement", agreement_form(vendor.pk))

    assert refused.status_code == 400
    assert "is a private entity" in refused.content.decode()
    assert not Agreement.objects.exists()


def test_revoking_from_the_page_needs_a_reason():
    admin = signed_in("ada", Role.ADMINISTRATOR)
    agreement = agreement_with(partner_agency())

    without = admin.post(f"/sharing/agreement/{agreement.pk}/revoke", {"reason": ""})
    revoked = admin.post(f"/sharing/agreement/{agreement.pk}/revoke", {"reason": "MOU ended"})

    assert without.status_code == 400
    assert revoked.status_code == 302
    agreement.refresh_from_db()
    assert agreement.revoke_reason == "MOU ended"


def test_an_auditor_sees_the_page_and_runs_the_check_but_changes_nothing():
    auditor = signed_in("aud", Role.AUDITOR)

    page = auditor.get("/sharing")
    checked = auditor.post("/sharing/check")
    switch = auditor.post("/sharing/switch", {"enabled": "1", "reason": "x"})

    assert page.status_code == 200
    assert "Turn sharing on" not in page.content.decode()
    assert checked.status_code == 302
    assert "matches the agreements" in auditor.get("/sharing").content.decode()
    assert switch.status_code == 403


def test_an_officer_may_not_see_sharing():
    assert signed_in("otto", Role.OPERATOR).get("/sharing").status_code == 403


def test_a_partner_officer_searches_in_the_web_within_the_agreement(stored_reads):
    oakland = partner_agency()
    agreement_with(oakland, scopes=["search"], purposes=["stolen_vehicle"])
    sharing_on()
    make_user("alex", Role.PARTNER, agency=oakland)
    partner = Client()
    partner.post("/login", {"username": "alex", "password": PASSWORD})
    with_purpose(partner, "stolen_vehicle", "OPD-26-1180")

    found = partner.get("/search", {"plate": "6TRL204"})
    alerts = partner.get("/alerts")

    assert found.status_code == 200
    assert found.content.decode().count("6TRL204") >= 3
    assert "does not include alerts only" in alerts.content.decode()
    assert Disclosure.objects.filter(username="alex").count() == 1


def test_a_partners_purpose_choice_offers_only_what_its_agreement_allows():
    oakland = partner_agency()
    agreement_with(oakland, purposes=["stolen_vehicle", "warrant"])
    make_user("alex", Role.PARTNER, agency=oakland)
    partner = Client()
    partner.post("/login", {"username": "alex", "password": PASSWORD})

    html = partner.get("/purpose").content.decode()

    assert 'value="stolen_vehicle"' in html
    assert 'value="warrant"' in html
    assert 'value="homeland_security"' not in html


def test_the_dashboard_raises_a_sharing_alarm_for_administrators_and_auditors():
    SharingSettings.objects.update_or_create(pk=1, defaults={"sharing_enabled": True})
    run_self_check()
    admin = signed_in("ada", Role.ADMINISTRATOR)
    officer = signed_in("otto", Role.OPERATOR)

    assert "Sharing drift found" in admin.get("/").content.decode()
    assert "Sharing drift found" not in officer.get("/").content.decode()

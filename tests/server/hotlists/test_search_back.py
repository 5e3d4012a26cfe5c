"""Entering a partial plate after a major crime searches the stored reads back (438.3(c))."""

from __future__ import annotations

import pytest
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.support.people import PASSWORD, SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def major_crimes():
    record_reads(CameraFactory(), [read_item(plate=p) for p in ["7ABX123", "7A8C123", "9ZZZ999"]])
    return create_hotlist("Major crimes", requester=SETUP_REQUESTER, category="wanted_person")


def test_an_investigator_enters_a_partial_plate_and_sees_past_reads_via_the_api(major_crimes):
    make_user("ines", Role.INVESTIGATOR)
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]

    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/hotlists/Major crimes/entries",
        data={
            "plate": "7AB?123",
            "purpose": "criminal_investigation",
            "case_number": "24-0042",
            "search_back_days": 7,
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert sorted(r["plate"] for r in response.json()["search_back"]) == ["7A8C123", "7ABX123"]
    search = AuditEvent.objects.get(action="reads.search")
    assert (search.purpose, search.case_number) == ("criminal_investigation", "24-0042")


def test_the_web_form_shows_the_search_back(major_crimes):
    make_user("ines", Role.INVESTIGATOR)
    client = Client()
    client.post("/login", {"username": "ines", "password": PASSWORD})
    client.post("/purpose", {"purpose": "criminal_investigation", "case_number": "24-0042"})

    page = client.post(
        f"/hotlists/{major_crimes.pk}/add",
        {"plate": "7AB?123", "case_number": "24-0042", "search_back_days": "7"},
    )

    assert page.status_code == 200
    html = page.content.decode()
    assert "7ABX123" in html
    assert "Import a file" not in html  # importing stays with the administrator


def test_an_operator_may_not_enter_plates(major_crimes):
    make_user("olivia", Role.OPERATOR)
    token = create_personal_token("olivia", requester=SETUP_REQUESTER)[1]

    response = Client(headers={"Authorization": f"Bearer {token}"}).post(
        "/api/v1/hotlists/Major crimes/entries",
        data={"plate": "7AB?123"},
        content_type="application/json",
    )

    assert response.status_code == 403


def _investigator_client() -> Client:
    make_user("ines", Role.INVESTIGATOR)
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_search_back_without_a_purpose_is_refused_and_the_entry_not_added(major_crimes):
    """GIVEN an investigator WHEN they enter a plate with a search-back but state no purpose
    THEN the search is refused (400, audited) and the plate is not on the list."""
    response = _investigator_client().post(
        "/api/v1/hotlists/Major crimes/entries",
        data={"plate": "7AB?123", "search_back_days": 7},
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert "purpose" in response.json()["detail"]
    assert not HotlistEntry.objects.exists()
    refused = AuditEvent.objects.get(action="reads.search")
    assert refused.outcome == "denied"
    assert not AuditEvent.objects.filter(action="hotlist.entry_add", outcome="allowed").exists()


def test_a_search_back_needs_the_case_number_its_purpose_requires(major_crimes):
    response = _investigator_client().post(
        "/api/v1/hotlists/Major crimes/entries",
        data={"plate": "7ABX123", "purpose": "criminal_investigation", "search_back_days": 7},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "case_number" in response.json()["detail"]
    assert not HotlistEntry.objects.exists()


@pytest.mark.parametrize("plate", ["*7*", "7??", "*AB*1", "???12"])
def test_a_partial_plate_needs_four_known_characters(major_crimes, plate):
    response = _investigator_client().post(
        "/api/v1/hotlists/Major crimes/entries",
        data={"plate": plate},
        content_type="application/json",
    )

    assert response.status_code == 400, response.content
    assert "at least 4 known characters" in response.json()["detail"]
    assert not HotlistEntry.objects.exists()


def test_a_partial_plate_with_four_known_characters_is_entered(major_crimes):
    response = _investigator_client().post(
        "/api/v1/hotlists/Major crimes/entries",
        data={"plate": "*7AB1*"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert HotlistEntry.objects.get().plate_normalized == "*7AB1*"

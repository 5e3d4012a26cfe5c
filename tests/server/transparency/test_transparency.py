"""The public transparency page: live figures, the posted policy, and never a plate."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.audit import write_checkpoint
from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.compliance.actions import Officials, name_officials
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import search_plate
from platekeeper.server.transparency.actions import PolicyError, publish_policy
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def activity():
    record_reads(CameraFactory(), [read_item(plate="7SECRET"), read_item(plate="8HIDDEN")])
    search_plate(
        Requester(make_user(), channel="api"),
        Justification("stolen_vehicle", "24-1"),
        plate="7SECRET",
    )


def test_anyone_sees_live_figures_and_no_plate(activity):
    page = Client().get("/transparency")
    data = Client().get("/transparency.json").json()

    assert page.status_code == 200
    html = page.content.decode()
    assert "7SECRET" not in html
    assert "8HIDDEN" not in html
    assert "7SECRET" not in json.dumps(data)
    assert (data["reads"], data["cameras_active"]) == (2, 1)
    assert data["searches_by_purpose"] == {"stolen_vehicle": 1}
    assert data["retention_days"]["reads"] == 365


def test_the_published_policy_is_posted_and_the_publication_audited(settings, tmp_path):
    settings.PLATEKEEPER_POLICY_FILE = str(tmp_path / "policy.txt")
    assert "has not been published" in Client().get("/transparency").content.decode()

    publish_policy(
        "438.1 PURPOSE AND SCOPE\nThe purpose of this policy...", requester=SETUP_REQUESTER
    )

    assert "438.1 PURPOSE AND SCOPE" in Client().get("/transparency").content.decode()
    with pytest.raises(PolicyError, match="empty"):
        publish_policy("  ", requester=SETUP_REQUESTER)


def test_agencies_with_an_agreement_in_effect_are_listed_publicly(db):
    agreement_with(partner_agency())
    sharing_on()

    data = Client().get("/transparency.json").json()
    html = Client().get("/transparency").content.decode()

    assert data["sharing_agencies"] == ["Oakland Police Department"]
    assert data["sharing_enabled"] is True
    assert "Agencies with an agreement in effect: Oakland Police Department" in html


def test_the_administrator_and_designee_are_named_publicly(db):
    name_officials(
        Officials("Capt. Rhea Santos", "Administration Operations Commander", "Lt. Omar Haddad",
                  "ALPR Program Manager", 90),
        requester=SETUP_REQUESTER,
    )  # fmt: skip

    data = Client().get("/transparency.json").json()
    html = Client().get("/transparency").content.decode()

    assert data["overseen_by"]["designee"] == "Lt. Omar Haddad, ALPR Program Manager"
    assert "the current designee overseeing its operation is Lt. Omar Haddad" in html


def test_the_json_carries_the_chain_head_and_it_changes_when_events_are_added(activity):
    before = Client().get("/transparency.json").json()["audit_chain"]

    search_plate(
        Requester(make_user("otto"), channel="api"),
        Justification("stolen_vehicle", "24-2"),
        plate="8HIDDEN",
    )
    after = Client().get("/transparency.json").json()["audit_chain"]

    newest = AuditEvent.objects.order_by("-id").first()
    assert after == {
        "events": AuditEvent.objects.count(),
        "head_event_id": newest.id,
        "head_hash": newest.hash,
        "head_at": newest.occurred_at.isoformat(),
    }
    assert after["events"] > before["events"]
    assert after["head_hash"] != before["head_hash"]
    assert newest.hash in Client().get("/transparency").content.decode()


def test_checkpoints_are_published_one_a_day(settings, tmp_path, activity):
    settings.DATA_DIR = str(tmp_path)
    write_checkpoint()

    checkpoints = Client().get("/transparency.json").json()["audit_checkpoints"]

    head = AuditEvent.objects.order_by("-id").first()
    assert checkpoints == [
        {"date": timezone.now().date().isoformat(), "event_id": head.id, "hash": head.hash}
    ]


def test_agreements_with_scopes_and_refusals_by_reason_are_public(activity):
    agreement_with(partner_agency())
    with pytest.raises(AccessDenied):
        search_plate(
            Requester(make_user("ida"), channel="api"),
            Justification("stolen_vehicle", "24-3", note="deportation"),
            plate="7SECRET",
        )

    data = Client().get("/transparency.json").json()

    (row,) = data["agreements"]
    assert row["scopes"]
    assert row["agency"] in data["sharing_agencies"]
    assert data["refusals_by_reason"]["prohibited purpose"] == 1

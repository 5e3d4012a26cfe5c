"""The approvals pages: a broad search shows "awaiting approval", the supervisor decides on
/approvals, and the requester's "Run" opens the search again under the approval, once."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import timezone

from platekeeper.server.access.roles import Role
from platekeeper.server.approvals.models import ApprovalRequest, Status
from platekeeper.server.hotlists.actions import create_hotlist
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER
from tests.web.conftest import signed_in, with_purpose

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

NOW = timezone.localtime().replace(second=0, microsecond=0)
WHITE_CARS = {
    "plate": "",
    "color": "white",
    "start": (NOW - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    "end": (NOW + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
}


@pytest.fixture
def ines(db):
    record_reads(CameraFactory(), [read_item(plate="5QRS777", vehicle_color="white")])
    return with_purpose(signed_in("ines", Role.INVESTIGATOR), "crime_scene_canvass", "24-0311")


def test_a_search_by_vehicle_alone_waits_then_runs_from_the_approvals_page(ines):
    held = ines.get("/search", WHITE_CARS)

    assert held.status_code == 202
    page = held.content.decode()
    assert "Awaiting approval:" in page
    assert "5QRS777" not in page
    approval = ApprovalRequest.objects.get()
    assert approval.origin.startswith("/search?")

    sue = signed_in("sue", Role.AUDITOR)
    queue = sue.get("/approvals").content.decode()
    assert "Awaiting your decision" in queue
    assert "ines" in queue
    own = ines.post(f"/approvals/{approval.pk}/decide", {"decision": "approve"})
    assert own.status_code == 403
    unnoted = sue.post(f"/approvals/{approval.pk}/decide", {"decision": "deny"}, follow=True)
    assert "note: say why" in unnoted.content.decode()
    decided = sue.post(
        f"/approvals/{approval.pk}/decide", {"decision": "approve", "note": "ok"}, follow=True
    )
    assert "approved" in decided.content.decode()
    approval.refresh_from_db()
    assert approval.status == Status.APPROVED

    mine = ines.get("/approvals").content.decode()
    assert 'class="pill badge">1<' in mine
    link = html.unescape(mine.split('class="button" href="')[1].split('"')[0])
    assert link.endswith(f"approval={approval.pk}")
    ran = ines.get(link)
    assert ran.status_code == 200
    assert "5QRS777" in ran.content.decode()
    again = ines.get(link)
    assert again.status_code == 403
    assert "already run" in again.content.decode()


def test_the_approvals_page_is_refused_to_a_role_that_may_neither_ask_nor_decide(db):
    admin = signed_in("ada", Role.ADMINISTRATOR)

    assert admin.get("/approvals").status_code == 403
    assert 'href="/approvals"' not in admin.get("/").content.decode()


def test_a_held_search_back_runs_from_the_hotlist_page_once_approved(ines):
    """GIVEN an investigator entering a partial plate with a 14-day search-back (held: longer
    than the threshold) WHEN a supervisor approves THEN "Run" opens the hotlist page with the
    entry filled in again, and entering it adds the plate and shows what the search-back found."""
    stolen = create_hotlist(
        "Major crimes", requester=SETUP_REQUESTER, source="manual", category="other"
    )
    entry = {"plate": "5QRS?77", "reason": "Partial plate", "case_number": "24-0311"}
    entry |= {"search_back_days": 14}

    held = ines.post(f"/hotlists/{stolen.pk}/add", entry)

    assert held.status_code == 202
    assert not HotlistEntry.objects.exists()
    approval = ApprovalRequest.objects.get()
    signed_in("sue", Role.AUDITOR).post(
        f"/approvals/{approval.pk}/decide", {"decision": "approve", "note": "ok"}
    )
    mine = ines.get("/approvals").content.decode()
    link = html.unescape(mine.split('class="button" href="')[1].split('"')[0])
    form = ines.get(link).content.decode()
    assert f'name="approval" value="{approval.pk}"' in form
    assert 'value="5QRS?77"' in form

    entered = ines.post(f"/hotlists/{stolen.pk}/add", {**entry, "approval": approval.pk})

    assert entered.status_code == 200
    assert "5QRS777" in entered.content.decode()
    assert HotlistEntry.objects.get().plate_normalized == "5QRS?77"
    again = ines.post(f"/hotlists/{stolen.pk}/add", {**entry, "approval": approval.pk})
    assert again.status_code == 403

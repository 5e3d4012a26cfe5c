"""A search stated with a prohibited purpose: refused on the web, flagged to the Auditor."""

from __future__ import annotations

import re

import pytest

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from tests.web.conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db


def test_a_search_for_an_ice_hold_is_refused_and_flagged_on_the_auditors_pages(stored_reads):
    officer = with_purpose(signed_in("ines"), case="ICE hold 26-004417")

    refused = officer.get("/search", {"plate": "6TRL204"})

    assert refused.status_code == 403
    assert "Government Code §7284.6" in refused.content.decode()
    assert "6TRL204" not in AuditEvent.objects.get(action="reads.search").record_ids
    auditor = signed_in("aud", Role.AUDITOR)
    dashboard = auditor.get("/").content.decode()
    assert "1 access refused for a prohibited purpose" in dashboard
    link = re.search(r'href="(/audit/report\?kind=prohibited_purpose[^"]*)"', dashboard)
    report = auditor.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "ICE hold 26-004417" in report
    compliance = auditor.get("/compliance").content.decode()
    row = re.search(r'<tr id="no_prohibited_purpose">(.*?)</tr>', compliance, flags=re.DOTALL)
    assert "FAIL" in row.group(1)
    assert "prohibited purpose" not in signed_in("otto", Role.OPERATOR).get("/").content.decode()


def test_a_case_description_naming_a_protest_refuses_the_search(stored_reads):
    officer = signed_in("ines")
    stated = {"purpose": "stolen_vehicle", "case_number": "24-0113", "note": "Protest on Main St"}
    assert officer.post("/purpose", stated).status_code == 302

    refused = officer.get("/search", {"plate": "6TRL204"})

    assert refused.status_code == 403
    assert "First Amendment" in refused.content.decode()
    event = AuditEvent.objects.get(action="reads.search")
    assert event.query["note"] == "Protest on Main St"
    assert event.reason.startswith("prohibited purpose")

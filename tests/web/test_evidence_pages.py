"""Evidence holds, exports and the retention schedule in the web interface (Policy 438.4)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import get_template
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.retention.manifest import verify_export
from platekeeper.server.retention.models import Hold, HoldReason, RetentionSettings
from platekeeper.server.retention.purge import daily_purge
from tests.web.conftest import signed_in, with_purpose

pytestmark = pytest.mark.django_db

CASE = "24-0113"


def _text(response) -> str:
    return response.content.decode()


def _hold_plate(client, plate: str = "6TRL204", case: str = CASE, **extra):
    return client.post(
        "/evidence/hold",
        {
            "selection": "plate",
            "case_number": case,
            "plate": plate,
            "reason": HoldReason.CRIMINAL_ACTION,
            "requested_by": "DDA J. Doe",
            **extra,
        },
    )


@pytest.fixture
def custodian(db):
    return signed_in("carla", Role.CUSTODIAN)


# --- who may see what ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("/evidence", Role.OPERATOR),
        ("/evidence", Role.AUDITOR),
        ("/retention", Role.INVESTIGATOR),
        ("/retention", Role.OPERATOR),
    ],
)
def test_roles_without_the_permission_are_refused(path, role):
    client = signed_in("someone", role)
    response = client.get(path)
    assert response.status_code == 403
    assert "Your role may not" in _text(response)


@pytest.mark.parametrize(
    "post",
    [
        {"path": "/evidence/hold", "data": {"selection": "plate", "plate": "6TRL204"}},
        {"path": "/evidence/release", "data": {"case_number": CASE, "reason": "done"}},
        {"path": "/evidence/export", "data": {"case_number": CASE}},
    ],
)
def test_an_operator_cannot_post_to_the_evidence_forms(post):
    client = with_purpose(signed_in("otto", Role.OPERATOR))
    assert client.post(post["path"], post["data"]).status_code == 403
    assert not Hold.objects.exists()


def test_the_nav_links_follow_the_role(investigator):
    page = _text(investigator.get("/"))
    assert 'href="/evidence"' in page
    assert 'href="/retention"' not in page
    auditor = _text(signed_in("audrey", Role.AUDITOR).get("/"))
    assert 'href="/retention"' in auditor
    assert 'href="/evidence"' not in auditor


# --- holds -----------------------------------------------------------------------------------


def test_a_hold_on_a_plate_in_a_window_is_placed_listed_and_audited(investigator, stored_reads):
    with_purpose(investigator, purpose="criminal_investigation")
    today = timezone.localdate()

    response = _hold_plate(
        investigator,
        start=(today - dt.timedelta(days=1)).isoformat(),
        end=today.isoformat(),
    )

    assert response.status_code == 302, _text(response)
    hold = Hold.objects.get()
    assert (hold.case_number, hold.items.count(), hold.placed_by.username) == (CASE, 3, "ines")
    event = AuditEvent.objects.get(action="retention.hold_place")
    assert (event.username, event.channel, event.record_count) == ("ines", "ui", 3)
    page = _text(investigator.get("/evidence"))
    assert CASE in page
    assert "DDA J. Doe" in page
    assert "Evidence in a criminal action" in page
    assert "6TRL204" not in page  # the list never shows the plates held


def test_a_window_with_no_reads_is_refused_and_holds_nothing(investigator, stored_reads):
    with_purpose(investigator)
    response = _hold_plate(investigator, start="2020-01-01", end="2020-01-31")
    assert response.status_code == 400
    assert "nothing held" in _text(response)
    assert not Hold.objects.exists()


def test_placing_a_hold_needs_a_stated_purpose(investigator, stored_reads):
    response = _hold_plate(investigator)
    assert response.status_code == 302
    assert response["Location"].startswith("/purpose?next=")
    assert not Hold.objects.exists()


def test_an_untrained_investigator_is_refused_by_the_gate_and_it_is_audited(stored_reads):
    client = with_purpose(signed_in("newbie", Role.INVESTIGATOR, training="none"))
    response = _hold_plate(client)
    assert response.status_code == 403
    assert "Refused" in _text(response)
    assert not Hold.objects.exists()
    assert AuditEvent.objects.filter(
        action="retention.hold_place", outcome=Outcome.DENIED, username="newbie"
    ).exists()


def test_reads_ticked_on_the_search_page_are_held(investigator, stored_reads):
    """GIVEN a search with three results WHEN two are ticked and held THEN the hold keeps those
    two, for the case and grounds given on the search page."""
    with_purpose(investigator)
    page = _text(investigator.get("/search", {"plate": "6TRL204"}))
    assert 'id="hold-selected"' in page
    ticked = re.findall(r'name="read_id" value="([0-9a-f-]{36})" form="hold-selected"', page)
    assert len(ticked) == 3

    response = investigator.post(
        "/evidence/hold",
        {
            "selection": "search",
            "read_id": ticked[:2],
            "case_number": "CV-7",
            "reason": HoldReason.DISCOVERY_REQUEST,
            "requested_by": "Subpoena 2026-114",
        },
    )

    assert response.status_code == 302, _text(response)
    hold = Hold.objects.get()
    assert sorted(str(i) for i in hold.items.values_list("read_id", flat=True)) == sorted(
        ticked[:2]
    )
    assert (hold.case_number, hold.reason) == ("CV-7", HoldReason.DISCOVERY_REQUEST)
    assert hold.selection == {"read_ids": 2}


def test_holding_from_the_search_page_with_nothing_ticked_says_so(investigator, stored_reads):
    with_purpose(investigator)
    response = investigator.post(
        "/evidence/hold",
        {
            "selection": "search",
            "case_number": CASE,
            "reason": HoldReason.CRIMINAL_ACTION,
            "requested_by": "DDA J. Doe",
        },
    )
    assert response.status_code == 400
    assert "tick the reads" in _text(response)
    assert not Hold.objects.exists()


def test_the_search_page_offers_no_hold_to_a_role_that_may_not_place_one(stored_reads):
    operator = with_purpose(signed_in("otto", Role.OPERATOR))
    page = _text(operator.get("/search", {"plate": "6TRL204"}))
    assert "6TRL204" in page
    assert "hold-selected" not in page


def test_the_search_page_hold_form_offers_exactly_the_lawful_grounds():
    source = get_template("web/evidence_hold_selected.html").template.source
    offered = re.findall(r'<option value="([a-z_]+)">([^<]+)</option>', source)
    assert offered == [(value, str(label)) for value, label in HoldReason.choices]


def test_releasing_a_hold_needs_a_reason(investigator, stored_reads):
    with_purpose(investigator)
    assert _hold_plate(investigator).status_code == 302

    refused = investigator.post("/evidence/release", {"case_number": CASE, "reason": " "})
    assert refused.status_code == 400
    assert Hold.objects.get().released_at is None

    released = investigator.post(
        "/evidence/release", {"case_number": CASE, "reason": "case adjudicated"}
    )
    assert released.status_code == 302
    hold = Hold.objects.get()
    assert hold.released_at is not None
    assert hold.release_reason == "case adjudicated"
    event = AuditEvent.objects.get(action="retention.hold_release")
    assert (event.username, event.channel, event.reason) == ("ines", "ui", "case adjudicated")
    page = _text(investigator.get("/evidence?all=1"))
    assert "released" in page
    assert "case adjudicated" in page


def test_only_the_placer_or_a_custodian_may_release(investigator, custodian, stored_reads):
    with_purpose(investigator)
    assert _hold_plate(investigator).status_code == 302
    other = signed_in("ivan", Role.INVESTIGATOR)

    response = other.post("/evidence/release", {"case_number": CASE, "reason": "not needed"})

    assert response.status_code == 400
    assert "Records Custodian" in _text(response)
    assert AuditEvent.objects.filter(
        action="retention.hold_release", outcome=Outcome.DENIED, username="ivan"
    ).exists()
    ok = custodian.post("/evidence/release", {"case_number": CASE, "reason": "DA closed it"})
    assert ok.status_code == 302
    assert Hold.objects.get().released_by.username == "carla"


# --- export ----------------------------------------------------------------------------------


def test_a_case_exports_as_a_zip_that_verifies_against_its_manifest(
    investigator, stored_reads, tmp_path, settings
):
    """GIVEN a held case WHEN it is exported from the page THEN the download is a ZIP that
    verifies, its manifest digest is in a header, on the page afterwards and in the audit."""
    with_purpose(investigator)
    assert _hold_plate(investigator).status_code == 302

    response = investigator.post("/evidence/export", {"case_number": CASE})

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="evidence-{CASE}.zip"'
    digest = response["X-Manifest-SHA256"]
    archive = tmp_path / "download.zip"
    archive.write_bytes(b"".join(response.streaming_content))
    report = verify_export(archive, expected_manifest_sha256=digest)
    assert report.ok, report.describe()
    assert report.checked > 3
    event = AuditEvent.objects.get(action="retention.evidence_export")
    assert (event.username, event.channel, event.case_number) == ("ines", "ui", CASE)
    assert event.query["manifest_sha256"] == digest
    assert event.record_count == 3
    assert digest in _text(investigator.get("/evidence"))
    assert not list(settings.DATA_DIR.glob("evidence-export-*"))  # nothing left behind


def test_a_changed_export_fails_verification(investigator, stored_reads, tmp_path):
    import zipfile

    with_purpose(investigator)
    _hold_plate(investigator)
    response = investigator.post("/evidence/export", {"case_number": CASE})
    original = tmp_path / "original.zip"
    original.write_bytes(b"".join(response.streaming_content))
    changed = tmp_path / "changed.zip"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data.replace(b"6TRL204", b"6TRL205"))
    assert not verify_export(changed).ok


def test_export_needs_a_purpose_and_a_held_case(investigator, stored_reads, settings):
    assert investigator.post("/evidence/export", {"case_number": CASE}).status_code == 302
    with_purpose(investigator)
    response = investigator.post("/evidence/export", {"case_number": "NO-SUCH"})
    assert response.status_code == 400
    assert "no standing hold" in _text(response)
    assert not AuditEvent.objects.filter(
        action="retention.evidence_export", outcome=Outcome.ALLOWED
    ).exists()
    assert not list(settings.DATA_DIR.glob("evidence-export-*"))


# --- the retention schedule ------------------------------------------------------------------


def test_the_custodian_sees_the_schedule_and_the_last_purges(custodian):
    daily_purge()
    page = _text(custodian.get("/retention"))
    assert "Plate reads" in page
    assert "Hotlist entries after they expire" in page
    assert 'name="reads_days"' in page
    assert "finished" in page  # the purge run just made
    assert "system:retention" in page


def test_an_auditor_sees_the_schedule_but_may_not_change_it(custodian):
    auditor = signed_in("audrey", Role.AUDITOR)
    page = auditor.get("/retention")
    assert page.status_code == 200
    assert 'name="reads_days"' not in _text(page)
    assert auditor.post("/retention", {"reads_days": 30}).status_code == 403
    assert RetentionSettings.objects.get().reads_days == 365


def _schedule(**changes) -> dict:
    current = {
        "reads_days": 365,
        "images_days": 365,
        "alerted_reads_days": 730,
        "alerts_days": 730,
        "hotlist_entries_days": 365,
        "audit_days": 1095,
        "override_reason": "",
    }
    return {**current, **changes}


def test_a_period_at_or_above_the_minimum_is_changed_and_audited(custodian):
    custodian.get("/retention")
    response = custodian.post("/retention", _schedule(reads_days=400, hotlist_entries_days=30))
    assert response.status_code == 302
    row = RetentionSettings.objects.get()
    assert (row.reads_days, row.hotlist_entries_days, row.override_reason) == (400, 30, "")
    event = AuditEvent.objects.get(action="retention.settings")
    assert event.username == "carla"
    assert event.query["after"]["reads"] == 400


def test_a_period_below_the_minimum_needs_an_override_reason(custodian):
    custodian.get("/retention")
    refused = custodian.post("/retention", _schedule(reads_days=180))
    assert refused.status_code == 400
    assert "give an override reason" in _text(refused)
    assert RetentionSettings.objects.get().reads_days == 365

    allowed = custodian.post(
        "/retention", _schedule(reads_days=180, override_reason="Council resolution 2026-12")
    )
    assert allowed.status_code == 302
    row = RetentionSettings.objects.get()
    assert (row.reads_days, row.override_by) == (180, "carla")
    page = _text(custodian.get("/retention"))
    assert "Council resolution 2026-12" in page
    assert "below minimum" in page


def test_the_administrator_changes_the_schedule_too(db):
    """GIVEN the ALPR Administrator (438.2.1(e)) WHEN they change a period on /retention
    THEN it changes, audited under their name."""
    admin = signed_in("ada", Role.ADMINISTRATOR)
    assert 'href="/retention"' in _text(admin.get("/"))
    assert 'name="reads_days"' in _text(admin.get("/retention"))

    response = admin.post("/retention", _schedule(reads_days=500))

    assert response.status_code == 302
    assert RetentionSettings.objects.get().reads_days == 500
    assert AuditEvent.objects.get(action="retention.settings").username == "ada"


def test_the_audit_period_can_never_be_shorter_than_the_data(custodian):
    custodian.get("/retention")
    response = custodian.post("/retention", _schedule(audit_days=100, override_reason="please"))
    assert response.status_code == 400
    assert "must outlive the data" in _text(response)
    assert RetentionSettings.objects.get().audit_days == 1095

"""Releasing records (Policy 438.9): only what the commander decided, only through the
evidence export (438.4), with the release linked to its audit event and, for a partner under
an agreement covering reads on request, to the sharing log."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.records.actions import amend_decision, decide_request, release_records
from platekeeper.server.records.models import RequestKind, RequestStatus
from platekeeper.server.records.queries import (
    RecordsError,
    next_step,
    people_by_role,
    request_detail,
)
from platekeeper.server.retention.actions import HoldSelection
from platekeeper.server.retention.manifest import verify_export
from platekeeper.server.retention.models import Hold, HoldReason
from platekeeper.server.sharing.models import Agreement, Disclosure
from tests.server.records.conftest import take_in
from tests.server.retention.conftest import days_ago, store_reads
from tests.support.factories import AgencyFactory, CameraFactory

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

PLATE = "8REL001"


@pytest.fixture
def reads(db) -> list[str]:
    """Two reads of the plate asked for, and one of another plate that must not go out."""
    camera = CameraFactory()
    asked = store_reads(camera, captured_at=days_ago(20), count=2, plate=PLATE)
    store_reads(camera, captured_at=days_ago(20), plate="5OTHER1")
    return asked


@pytest.fixture
def berkeley(db):
    return AgencyFactory(name="Berkeley Police Department", type=AgencyType.LAW_ENFORCEMENT)


def _agency_request(desk, commander, agency, decision: str = "release"):
    request = take_in(
        desk,
        requester_name="Det. R. Lee",
        kind=RequestKind.OTHER_AGENCY,
        agency=agency,
        data_sought=f"Reads of {PLATE}, case BPD-26-0441",
    )
    # A release in part names the law for what it withholds as well.
    withholding = "gc_7923_600" if decision == "partial" else ""
    decide_request(
        commander,
        request.number,
        decision=decision,
        legal_basis="official_purpose",
        withholding_basis=withholding,
    )
    return request


def _release(desk, request, out):
    return release_records(desk, request.number, selection=HoldSelection(plate=PLATE), out=out)


def test_release_exports_the_chosen_reads_and_links_the_export_audit_event(
    desk, commander, berkeley, reads, tmp_path
):
    request = _agency_request(desk, commander, berkeley)
    out = tmp_path / "release"

    release = _release(desk, request, out)

    document = json.loads((out / "reads.json").read_text())
    assert sorted(read["id"] for read in document["reads"]) == sorted(reads)
    assert verify_export(out, expected_manifest_sha256=release.manifest_sha256).ok
    assert (release.read_count, release.export_path) == (2, str(out.resolve()))
    event = AuditEvent.objects.get(pk=release.audit_event_id)
    assert (event.action, event.case_number, event.purpose) == (
        "retention.evidence_export",
        request.number,
        "records_release",
    )
    assert sorted(event.record_ids) == sorted(reads)
    assert event.query["manifest_sha256"] == release.manifest_sha256
    assert AuditEvent.objects.get(action="records.release").query["export_event"] == event.pk
    hold = Hold.objects.get(case_number=request.number)
    assert (hold.reason, hold.requested_by) == (
        HoldReason.OTHER_LAWFUL_ACTION,
        "Det. R. Lee (Berkeley Police Department)",
    )
    assert request_detail(desk, request.number).status == RequestStatus.RELEASED
    assert not Disclosure.objects.exists()


def test_a_release_to_a_partner_with_reads_on_request_writes_the_sharing_log(
    desk, commander, berkeley, reads, tmp_path
):
    today = timezone.localdate()
    agreement = Agreement.objects.create(
        partner=berkeley,
        kind="mou",
        reference="MOU-1",
        scopes=["reads_on_request"],
        partner_retention_days=365,
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=335),
        approved_by="Chief",
        approved_on=today - dt.timedelta(days=31),
        recorded_by="t",
        recorded_at=timezone.now(),
    )
    request = _agency_request(desk, commander, berkeley, decision="partial")

    release = _release(desk, request, tmp_path / "release.zip")

    logged = Disclosure.objects.get()
    assert logged.agreement == agreement
    assert logged.audit_event_id == release.audit_event_id
    assert (logged.agency, logged.username, logged.record_count) == (
        "Berkeley Police Department",
        "Det. R. Lee",
        2,
    )
    assert logged.case_number == request.number


def test_a_request_whose_text_names_immigration_enforcement_is_never_released(
    desk, commander, berkeley, reads, tmp_path
):
    request = take_in(
        desk,
        kind=RequestKind.OTHER_AGENCY,
        agency=berkeley,
        data_sought=f"Reads of {PLATE} to serve an ICE detainer",
    )
    decide_request(commander, request.number, decision="release", legal_basis="official_purpose")

    with pytest.raises(AccessDenied, match=r"Government Code §7284\.6"):
        _release(desk, request, tmp_path / "release")

    refused = AuditEvent.objects.get(action="records.release", outcome="denied")
    assert refused.reason.startswith("prohibited purpose")
    assert not Hold.objects.filter(case_number=request.number).exists()


def test_release_before_a_decision_is_refused_and_holds_nothing(desk, reads, tmp_path):
    request = take_in(desk)

    with pytest.raises(RecordsError, match=r"^decision: .* not decided yet"):
        _release(desk, request, tmp_path / "out")

    assert not Hold.objects.exists()
    assert not (tmp_path / "out").exists()


def test_a_denied_request_releases_nothing(desk, commander, reads, tmp_path):
    request = take_in(desk)
    decide_request(commander, request.number, decision="deny", legal_basis="cc_1798_90_55b")

    with pytest.raises(RecordsError, match=r"^decision: .* denied"):
        _release(desk, request, tmp_path / "out")


def test_alpr_data_goes_to_a_member_of_the_public_only_under_a_subpoena_or_court_order(
    desk, commander, reads, tmp_path
):
    public = take_in(desk)
    subpoena = take_in(desk, kind=RequestKind.SUBPOENA, requester_name="Smith & Co., counsel")
    decide_request(
        commander, public.number, decision="release", legal_basis="other", note="Own car"
    )
    decide_request(commander, subpoena.number, decision="release", legal_basis="compelled")

    with pytest.raises(RecordsError, match=r"^legal_basis: .*1798\.90\.55\(b\)"):
        _release(desk, public, tmp_path / "public")
    release = _release(desk, subpoena, tmp_path / "subpoena")

    assert release.read_count == 2
    assert Hold.objects.get(case_number=subpoena.number).reason == HoldReason.DISCOVERY_REQUEST


def test_the_commander_decides_but_may_not_export(desk, commander, berkeley, reads, tmp_path):
    request = _agency_request(desk, commander, berkeley)

    with pytest.raises(AccessDenied, match="export reads"):
        _release(commander, request, tmp_path / "out")

    refusal = AuditEvent.objects.get(action="records.release")
    assert (refusal.username, refusal.outcome) == ("ada", "denied")
    assert not Hold.objects.exists()


def test_an_out_of_state_agency_gets_nothing_without_a_court_order(
    desk, commander, reads, tmp_path
):
    reno = AgencyFactory(
        name="Reno Police Department", type=AgencyType.LAW_ENFORCEMENT, jurisdiction="NV"
    )
    request = _agency_request(desk, commander, reno)

    with pytest.raises(RecordsError, match=r"not a California agency.*2023-DLE-06"):
        _release(desk, request, tmp_path / "reno")
    assert not (tmp_path / "reno").exists()


def test_released_reads_cannot_be_amended_into_a_denial_and_nobody_acts_next(
    desk, commander, berkeley, reads, tmp_path
):
    """GIVEN a request whose reads were released WHEN the commander amends it to a denial
    THEN it is refused (what left cannot be called back), and the request waits on nobody."""
    request = _agency_request(desk, commander, berkeley)
    _release(desk, request, tmp_path / "release")

    with pytest.raises(RecordsError, match=r"^decision: reads of .* were already released"):
        amend_decision(
            commander, request.number, reason="second thoughts", decision="deny",
            legal_basis="ec_1040",
        )  # fmt: skip
    row = request_detail(desk, request.number)
    assert row.decision == "release"
    assert next_step(row, people_by_role()).describe() == "nobody: the reads were released"

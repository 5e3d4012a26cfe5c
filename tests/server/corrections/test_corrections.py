"""Misread correction: the original stays, the change is audited, matching runs again."""

from __future__ import annotations

import pytest

from platekeeper.server.access.gate import RecordNotFound
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.alerts.models import Alert
from platekeeper.server.corrections.actions import CorrectionError, correct_read
from platekeeper.server.corrections.models import ReadCorrection
from platekeeper.server.corrections.queries import corrections_of
from platekeeper.server.hotlists.actions import add_entry, create_hotlist
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.models import Read
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def hotlist(db):
    stolen = create_hotlist("Stolen", requester=SETUP_REQUESTER, category="stolen_vehicle")
    add_entry(stolen, "7ABC123", requester=SETUP_REQUESTER, state="CA")
    add_entry(stolen, "4XY?99", requester=SETUP_REQUESTER, reason="Partial plate, robbery")
    return stolen


def _read(plate: str, **extra: object) -> str:
    item = read_item(plate=plate, **extra)
    record_reads(CameraFactory(), [item])
    return item["id"]


def test_a_correction_keeps_the_camera_reading_and_raises_the_missed_alert(hotlist):
    read_id = _read("7ABC128")
    user = make_user("luis")
    who = as_person(user)
    result = correct_read(read_id, "7abc 123", requester=who, reason="Crop shows a 3")

    assert Read.objects.get(pk=read_id).plate_normalized == "7ABC128"
    assert [(a.plate, a.entry_plate, a.match_kind) for a in result.alerts] == [
        ("7ABC123", "7ABC123", "exact")
    ]
    alert = Alert.objects.get()
    assert str(alert.read_id) == read_id
    assert (result.correction.original_plate, result.correction.corrected_plate) == (
        "7ABC128",
        "7ABC123",
    )
    event = AuditEvent.objects.get(action="reads.correct")
    assert event.username == "luis"
    assert event.record_ids == [read_id]
    assert event.query == {
        "read": read_id,
        "from": "7ABC128",
        "to": "7ABC123",
        "alerts": [alert.pk],
    }
    assert [c.corrected_plate for c in corrections_of(read_id)] == ["7ABC123"]


def test_a_correction_matches_partial_plates_and_the_state_as_ingest_does(hotlist):
    user = make_user("luis")
    who = as_person(user)
    nevada = _read("7ABC128", state="NV")
    assert correct_read(nevada, "7ABC123", requester=who, reason="3").alerts == ()
    partial = _read("4KY199")
    assert correct_read(partial, "4XY299", requester=who, reason="2 not 1").alerts[
        0
    ].match_kind == ("partial")


def test_a_second_correction_is_kept_too_and_the_same_plate_is_refused(hotlist):
    read_id = _read("7ABC128")
    user = make_user("luis")
    who = as_person(user)
    correct_read(read_id, "7ABC129", requester=who, reason="9")
    correct_read(read_id, "7ABC123", requester=who, reason="no, a 3")
    assert list(ReadCorrection.objects.values_list("original_plate", "corrected_plate")) == [
        ("7ABC128", "7ABC129"),
        ("7ABC128", "7ABC123"),
    ]
    with pytest.raises(CorrectionError, match="already says 7ABC123"):
        correct_read(read_id, "7ABC123", requester=who, reason="again")


@pytest.mark.parametrize(
    ("read_id", "plate", "reason", "message"),
    [
        (None, "!!", "x", "plate:"),
        (None, "7ABC123", "  ", "reason:"),
        ("not-a-uuid", "7ABC123", "x", "read_id: is not a read id"),
    ],
)
def test_refusals_name_the_field(hotlist, read_id, plate, reason, message):
    user = make_user("luis")
    who = as_person(user)
    target = read_id or _read("7ABC128")
    with pytest.raises(CorrectionError, match=message):
        correct_read(target, plate, requester=who, reason=reason)
    assert not ReadCorrection.objects.exists()
    assert not AuditEvent.objects.filter(action="reads.correct").exists()


def test_correcting_a_read_that_does_not_exist_is_audited_as_not_found(hotlist):
    who = as_person(make_user("luis"))
    missing = "8a6e0804-2bd0-4672-b79a-d46a1f1c3a3a"
    with pytest.raises(RecordNotFound, match="read_id: no read"):
        correct_read(missing, "7ABC123", requester=who, reason="x")
    event = AuditEvent.objects.get(action="reads.correct")
    assert (event.outcome, event.username, event.query) == ("not_found", "luis", {"read": missing})

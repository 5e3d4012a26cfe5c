"""Reads posted by cameras raise alerts before the ingest call returns."""

from __future__ import annotations

import pytest

from platekeeper.server.alerts.models import Alert
from tests.support.factories import read_item

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _alerts(device, plate, **fields):
    return device.post_reads([read_item(plate=plate, **fields)]).json()["alerts"]


def test_an_exact_hit_is_in_the_ingest_answer(device, hotlist):
    (alert,) = _alerts(device, "7ABC123", state="CA")

    assert (alert["plate"], alert["entry_plate"], alert["match_kind"]) == (
        "7ABC123",
        "7ABC123",
        "exact",
    )
    assert alert["hotlist"] == "CA stolen vehicles"
    assert Alert.objects.get().entry_description == "Silver Civic"


@pytest.mark.parametrize(("read", "kind"), [("B0B555", "lookalike"), ("6TRX20", "partial")])
def test_lookalike_and_partial_hits_say_how_they_matched(device, hotlist, read, kind):
    (alert,) = _alerts(device, read)

    assert alert["match_kind"] == kind


@pytest.mark.parametrize(
    ("plate", "state"),
    [("7ABC124", "CA"), ("7ABC123", "NV"), ("6TRX21", "CA"), ("1OLD000", "CA"), ("B0B556", "CA")],
)
def test_near_misses_other_states_and_expired_entries_raise_nothing(device, hotlist, plate, state):
    assert _alerts(device, plate, state=state) == []
    assert not Alert.objects.exists()


def test_a_resent_read_does_not_raise_its_alert_twice(device, hotlist):
    item = read_item(plate="7ABC123")

    device.post_reads([item])
    again = device.post_reads([item]).json()

    assert again["alerts"] == []
    assert Alert.objects.count() == 1

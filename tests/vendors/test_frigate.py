"""Frigate `events` messages: an ended car or motorcycle with a plate is one read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from platekeeper.vendors import VendorMessage, VendorPayloadError, frigate
from tests.support.frigate import event, tracked
from tests.vendors.support import assert_canonical


def ended(**changes: Any) -> dict[str, Any]:
    after = {**tracked("1764425100.2-abc123", "driveway", plate="7abc123", ended=True), **changes}
    return event("end", None, after)


def test_an_ended_car_with_a_plate_is_one_read_at_its_snapshot_time() -> None:
    [item] = frigate.to_items(VendorMessage(ended()))

    assert_canonical(item)
    assert item["plate"] == "7ABC123"
    assert item["confidence"] == pytest.approx(0.93)
    snapshot_time = ended()["after"]["snapshot"]["frame_time"]
    captured_at = dt.datetime.fromisoformat(item["captured_at"])
    assert captured_at.timestamp() == pytest.approx(snapshot_time, abs=1e-6)


@pytest.mark.parametrize(
    "message",
    [
        event("update", None, tracked("1.1-a", "driveway", plate="7ABC123")),
        ended(label="person"),
        ended(recognized_license_plate=None),
        ended(recognized_license_plate="  "),
    ],
)
def test_updates_other_objects_and_unread_plates_give_no_read(message: dict[str, Any]) -> None:
    assert frigate.to_items(VendorMessage(message)) == []


def test_a_motorcycle_counts_and_the_id_is_the_object() -> None:
    [car] = frigate.to_items(VendorMessage(ended()))
    [again] = frigate.to_items(VendorMessage(ended(recognized_license_plate_score=0.99)))
    [bike] = frigate.to_items(VendorMessage(ended(label="motorcycle", id="1764425100.9-moto")))

    assert car["id"] == again["id"] != bike["id"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"camera": None}, "after.camera"),
        ({"start_time": "noon"}, "after.start_time"),
        ({"recognized_license_plate_score": True}, "after.recognized_license_plate_score"),
    ],
)
def test_malformed_event_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(VendorPayloadError) as raised:
        frigate.to_items(VendorMessage(ended(**change)))

    assert str(raised.value).startswith(field)

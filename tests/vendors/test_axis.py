"""Axis License Plate Verifier push events: one read per pass and text; `lost` gives none."""

from __future__ import annotations

from typing import Any

import pytest

from platekeeper.vendors import VendorMessage, VendorPayloadError, axis
from tests.vendors.support import assert_canonical


def push_event(**fields: Any) -> dict[str, Any]:
    """A push event with the fields of the application's documented JSON."""
    return {
        "packetCounter": "1729",
        "datetime": "20251129 140507418+0100",
        "plateText": "\u0038\u004c\u0058\u004b\u0032\u0030\u0034",
        "plateUnicode": "8LXK204",
        "plateUTF8": "8LXK204",
        "plateCountry": "USA",
        "plateConfidence": 0.912,
        "carState": "new",
        "geotag": {"lat": 37.8199, "lon": -122.2391},
        "imageType": "plate",
        "plateImageType": "jpeg",
        "plateImageSize": "0",
        "carMoveDirection": "in",
        "timeProcessing": "27",
        "plateCoordinates": [604, 429, 138, 71],
        "carID": "4711",
        "sensorProviderID": "gate-east",
        **fields,
    }


def test_a_new_event_is_one_read() -> None:
    [item] = axis.to_items(VendorMessage(push_event()))

    assert_canonical(item)
    assert item["plate"] == "8LXK204"
    assert item["captured_at"] == "2025-11-29T13:05:07.418000Z"
    assert item["confidence"] == pytest.approx(0.912)
    assert (item["latitude"], item["longitude"]) == (37.8199, -122.2391)
    assert item["plate_box"] == {"x": 604, "y": 429, "width": 138, "height": 71}


def test_an_update_of_the_same_pass_and_text_is_the_same_read() -> None:
    [new] = axis.to_items(VendorMessage(push_event()))
    [update] = axis.to_items(VendorMessage(push_event(carState="updated", carMoveDirection="out")))
    [corrected] = axis.to_items(VendorMessage(push_event(carState="updated", plateUTF8="8LXK2O4")))

    assert new["id"] == update["id"] != corrected["id"]


def test_lost_repeats_the_last_reading_and_gives_none() -> None:
    assert axis.to_items(VendorMessage(push_event(carState="lost"))) == []


def test_a_time_without_offset_is_utc_and_no_fix_is_no_position() -> None:
    [item] = axis.to_items(
        VendorMessage(push_event(datetime="20251129 140507418", geotag={"lat": 0, "lon": 0}))
    )

    assert item["captured_at"] == "2025-11-29T14:05:07.418000Z"
    assert (item["latitude"], item["longitude"]) == (None, None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"datetime": "2025-11-29 14:05"}, "datetime"),
        ({"plateUTF8": None, "plateText": None}, "plateText"),
        ({"plateConfidence": "high"}, "plateConfidence"),
        ({"plateCoordinates": [1, 2, 3]}, "plateCoordinates"),
        ({"carState": None}, "carState"),
    ],
)
def test_malformed_event_names_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(VendorPayloadError) as raised:
        axis.to_items(VendorMessage(push_event(**change)))

    assert str(raised.value).startswith(field)

"""Plate Recognizer Snapshot and Stream webhooks mapped onto canonical read items."""

from __future__ import annotations

import base64
import copy
from typing import Any

import pytest

from platekeeper.vendors import VendorMessage, VendorPayloadError, get_vendor
from tests.vendors.support import assert_canonical, load


def platerecognizer_to_items(
    document: Any, files: dict[str, bytes] | None = None
) -> list[dict[str, Any]]:
    return get_vendor("platerecognizer").to_items(VendorMessage(document, files or {}))


@pytest.fixture
def stream() -> dict[str, Any]:
    return load("platerecognizer_stream_webhook.json")


@pytest.fixture
def snapshot() -> dict[str, Any]:
    return load("platerecognizer_snapshot_webhook.json")


# --- Plate Recognizer Stream ---------------------------------------------------------------


def test_stream_result_maps_plate_time_state_and_box(stream: dict[str, Any]) -> None:
    items = platerecognizer_to_items(stream)
    [item] = items
    assert_canonical(item)
    assert item["plate"] == "7ABC123"
    assert item["captured_at"] == "2021-09-29T05:56:13.606935Z"
    assert item["confidence"] == pytest.approx(0.839)
    assert item["state"] == "CA"
    assert item["plate_box"] == {"x": 460, "y": 57, "width": 97, "height": 25}
    assert (item["latitude"], item["longitude"]) == (None, None)


def test_stream_vehicle_attributes(stream: dict[str, Any]) -> None:
    [item] = platerecognizer_to_items(stream)

    assert item["vehicle_make"] == "Toyota"
    assert item["vehicle_color"] == "white"
    assert item["vehicle_type"] == "Sedan"


def test_stream_candidates_without_scores_are_left_out(stream: dict[str, Any]) -> None:
    [item] = platerecognizer_to_items(stream)

    assert "candidates" not in item


def test_stream_local_time_offset_is_converted_to_utc(stream: dict[str, Any]) -> None:
    """GIVEN an older Stream that spells the time with an offset WHEN mapped THEN it is UTC."""
    stream["data"]["timestamp"] = "2021-09-29 07:56:13.606935+02:00"

    [item] = platerecognizer_to_items(stream)

    assert item["captured_at"] == "2021-09-29T05:56:13.606935Z"


def test_stream_id_is_stable_and_depends_on_camera_time_plate_and_box(
    stream: dict[str, Any],
) -> None:
    [first] = platerecognizer_to_items(stream)
    [again] = platerecognizer_to_items(copy.deepcopy(stream))
    ids = set()
    for change in (
        lambda d: d.update(camera_id="camera-2"),
        lambda d: d.update(timestamp="2021-09-29T05:56:14.606935Z"),
        lambda d: d["results"][0].update(plate="7abc124"),
        lambda d: d["results"][0]["box"].update(xmin=461),
    ):
        changed = copy.deepcopy(stream)
        change(changed["data"])
        ids.add(platerecognizer_to_items(changed)[0]["id"])

    assert first["id"] == again["id"]
    assert first["id"] not in ids
    assert len(ids) == 4


# --- Plate Recognizer Snapshot -------------------------------------------------------------


def test_snapshot_gives_one_item_per_result(snapshot: dict[str, Any]) -> None:
    items = platerecognizer_to_items(snapshot)
    assert [item["plate"] for item in items] == ["NHK552", "8XYZ901"]
    for item in items:
        assert_canonical(item)
        # Snapshot sends the request time in UTC without an offset.
        assert item["captured_at"] == "2025-09-09T23:22:38.030345Z"
    assert items[0]["candidates"] == [
        {"plate": "NHK552", "confidence": 0.898},
        {"plate": "NHK55Z", "confidence": 0.754},
    ]
    assert items[1]["vehicle_type"] == "Pickup Truck"
    assert len({item["id"] for item in items}) == 2


def test_snapshot_country_region_is_not_a_state(snapshot: dict[str, Any]) -> None:
    items = platerecognizer_to_items(snapshot)

    assert "state" not in items[0]  # "gb"
    assert items[1]["state"] == "TX"  # "us-tx"


@pytest.mark.parametrize(("code", "state"), [("ca", None), ("de", None), ("ca-qc", "QC")])
def test_region_codes_that_collide_with_states(
    snapshot: dict[str, Any], code: str, state: str | None
) -> None:
    snapshot["data"]["results"][0]["region"]["code"] = code

    items = platerecognizer_to_items(snapshot)

    assert items[0].get("state") == state


def test_multipart_upload_becomes_every_items_overview(snapshot: dict[str, Any]) -> None:
    """GIVEN the "webhook with image" variant WHEN mapped THEN the upload is each overview."""
    upload = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

    items = platerecognizer_to_items(snapshot, files={"upload": upload})

    for item in items:
        assert base64.b64decode(item["overview"]) == upload
        assert_canonical(item)


def test_snapshot_without_camera_still_gives_its_reads(snapshot: dict[str, Any]) -> None:
    snapshot["data"]["camera_id"] = None

    items = platerecognizer_to_items(snapshot)

    assert len(items) == 2


def test_snapshot_without_plates_gives_no_items(snapshot: dict[str, Any]) -> None:
    snapshot["data"]["results"] = []

    assert platerecognizer_to_items(snapshot) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m.pop("data"), "data"),
        (lambda m: m.update(data=[]), "data"),
        (lambda m: m["hook"].update(event="camera.offline"), "hook.event"),
        (lambda m: m["hook"].update(event=["recognition"]), "hook.event"),
        (lambda m: m["data"].pop("results"), "data.results"),
        (lambda m: m["data"].update(results={"plate": "x"}), "data.results"),
        (lambda m: m["data"].pop("timestamp"), "data.timestamp"),
        (lambda m: m["data"].update(timestamp="last tuesday"), "data.timestamp"),
        (lambda m: m["data"]["results"][1].pop("plate"), "data.results[1].plate"),
        (lambda m: m["data"]["results"][0]["box"].pop("ymax"), "data.results[0].box.ymax"),
        (lambda m: m["data"]["results"][0].update(score="high"), "data.results[0].score"),
        (lambda m: m["data"]["results"][0].update(candidates="x"), "data.results[0].candidates"),
    ],
)
def test_malformed_platerecognizer_payload_names_the_field(
    snapshot: dict[str, Any], change: Any, field: str
) -> None:
    change(snapshot)

    with pytest.raises(VendorPayloadError) as raised:
        platerecognizer_to_items(snapshot)

    assert str(raised.value).startswith(field)

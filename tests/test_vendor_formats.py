"""Tests for mapping OpenALPR and Plate Recognizer webhooks onto canonical read items."""

from __future__ import annotations

import base64
import copy
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from platekeeper.vendor_formats import (
    VendorPayloadError,
    openalpr_to_items,
    platerecognizer_to_items,
)
from platekeeper.wire import Candidate, PlateBox, ReadItem

SAMPLES = Path(__file__).parent / "samples"
READ_ITEM_FIELDS = {field.name for field in dataclasses.fields(ReadItem)}


def load(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


@pytest.fixture
def group() -> dict[str, Any]:
    return load("openalpr_alpr_group.json")


@pytest.fixture
def frame() -> dict[str, Any]:
    return load("openalpr_alpr_results.json")


@pytest.fixture
def stream() -> dict[str, Any]:
    return load("platerecognizer_stream_webhook.json")


@pytest.fixture
def snapshot() -> dict[str, Any]:
    return load("platerecognizer_snapshot_webhook.json")


def as_read_item(item: dict[str, Any]) -> ReadItem:
    """Rebuild the item as the wire dataclass, so its JSON spelling can be compared."""

    def image(name: str) -> bytes | None:
        return base64.b64decode(item[name], validate=True) if name in item else None

    box = item.get("plate_box")
    return ReadItem(
        id=uuid.UUID(item["id"]),
        plate=item["plate"],
        captured_at=dt.datetime.fromisoformat(item["captured_at"]),
        latitude=item["latitude"],
        longitude=item["longitude"],
        confidence=item.get("confidence"),
        state=item.get("state"),
        candidates=tuple(Candidate(**c) for c in item.get("candidates", ())),
        heading=item.get("heading"),
        plate_box=PlateBox(**box) if box else None,
        plate_crop=image("plate_crop"),
        overview=image("overview"),
        vehicle_make=item.get("vehicle_make"),
        vehicle_color=item.get("vehicle_color"),
        vehicle_type=item.get("vehicle_type"),
    )


def assert_canonical(item: dict[str, Any]) -> None:
    """Every item uses only ReadItem's field names and is spelt exactly as to_json() spells it."""
    assert set(item) <= READ_ITEM_FIELDS
    assert as_read_item(item).to_json() == item


def test_module_imports_without_django() -> None:
    code = "import sys; sys.modules['django'] = None; import platekeeper.vendor_formats"
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - fixed command


# --- OpenALPR alpr_group -------------------------------------------------------------------


def test_group_maps_best_plate_time_and_place(group: dict[str, Any]) -> None:
    items, camera = openalpr_to_items(group)

    assert camera == "1234"
    [item] = items
    assert_canonical(item)
    assert item["plate"] == "D2651BF"
    # best_uuid_epoch_ms 1562681121543 is 2019-07-09 14:05:21.543 UTC
    assert item["captured_at"] == "2019-07-09T14:05:21.543000Z"
    assert item["confidence"] == pytest.approx(0.929419174194336)
    assert item["state"] == "MO"
    assert item["latitude"] == pytest.approx(37.635986328125)
    assert item["longitude"] == pytest.approx(-92.6600341796875)


def test_group_time_falls_back_to_first_sighting(group: dict[str, Any]) -> None:
    """GIVEN an agent that sends no best_uuid_epoch_ms WHEN mapped THEN epoch_start is used."""
    del group["best_uuid_epoch_ms"]

    [item], _ = openalpr_to_items(group)

    assert item["captured_at"] == "2019-07-09T14:05:21.504000Z"


def test_group_candidates_are_scaled_to_zero_one(group: dict[str, Any]) -> None:
    [item], _ = openalpr_to_items(group)

    assert [c["plate"] for c in item["candidates"]] == ["D2651BF", "D2651F", "D265BF"]
    assert item["candidates"][1]["confidence"] == pytest.approx(0.808129653930664)
    assert all(0 <= c["confidence"] <= 1 for c in item["candidates"])


def test_group_vehicle_attributes_take_the_most_confident_guess(group: dict[str, Any]) -> None:
    group["vehicle"]["color"].reverse()

    [item], _ = openalpr_to_items(group)

    assert item["vehicle_make"] == "ford"
    assert item["vehicle_color"] == "silver-gray"
    assert item["vehicle_type"] == "truck-standard"


def test_group_images_pass_through(group: dict[str, Any]) -> None:
    [item], _ = openalpr_to_items(group)

    assert item["plate_crop"] == group["best_plate"]["plate_crop_jpeg"]
    assert item["overview"] == group["vehicle_crop_jpeg"]


def test_vehicle_crop_as_overview_drops_the_full_frame_box(group: dict[str, Any]) -> None:
    """GIVEN only a vehicle crop WHEN mapped THEN no box, since its pixels are full-frame pixels."""
    [item], _ = openalpr_to_items(group)

    assert "plate_box" not in item


def test_full_frame_overview_keeps_the_plate_box(group: dict[str, Any]) -> None:
    group["overview_jpeg"] = "/9j/4AAQSkZJRgABBAAAAQABAAD/2Q=="

    [item], _ = openalpr_to_items(group)

    assert item["overview"] == group["overview_jpeg"]
    assert item["plate_box"] == {"x": 3247, "y": 188, "width": 220, "height": 119}


def test_group_without_images_carries_none(group: dict[str, Any]) -> None:
    del group["vehicle_crop_jpeg"]
    del group["best_plate"]["plate_crop_jpeg"]

    [item], _ = openalpr_to_items(group)

    assert "overview" not in item
    assert "plate_crop" not in item
    assert item["plate_box"]["x"] == 3247


def test_group_id_is_stable_across_resends(group: dict[str, Any]) -> None:
    [first], _ = openalpr_to_items(group)
    [again], _ = openalpr_to_items(copy.deepcopy(group))
    group["best_uuid"] = group["uuids"][2]
    [other], _ = openalpr_to_items(group)

    assert first["id"] == again["id"]
    assert other["id"] != first["id"]
    assert uuid.UUID(first["id"]).version == 5


def test_group_id_depends_on_agent_and_camera(group: dict[str, Any]) -> None:
    [first], _ = openalpr_to_items(group)
    group["camera_id"] = 5678
    [other_camera], _ = openalpr_to_items(group)
    group["agent_uid"] = "B" * 40
    [other_agent], _ = openalpr_to_items(group)

    assert len({first["id"], other_camera["id"], other_agent["id"]}) == 3


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(0, 0), (0.0, 0.0), (None, None), (37.6, None)]
)
def test_group_without_gps_fix_has_unknown_position(
    group: dict[str, Any], latitude: float | None, longitude: float | None
) -> None:
    group["gps_latitude"] = latitude
    group["gps_longitude"] = longitude

    [item], _ = openalpr_to_items(group)

    assert item["latitude"] is None
    assert item["longitude"] is None


def test_group_missing_gps_fields_has_unknown_position(group: dict[str, Any]) -> None:
    del group["gps_latitude"], group["gps_longitude"]

    [item], _ = openalpr_to_items(group)

    assert (item["latitude"], item["longitude"]) == (None, None)


def test_preview_group_is_skipped_in_favour_of_the_final_group(group: dict[str, Any]) -> None:
    group["is_preview"] = True

    assert openalpr_to_items(group) == ([], "1234")


def test_camera_identifier_falls_back_to_agent(group: dict[str, Any]) -> None:
    del group["camera_id"]

    _, camera = openalpr_to_items(group)

    assert camera == "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"


# --- OpenALPR alpr_results -----------------------------------------------------------------


def test_frame_gives_one_item_per_plate(frame: dict[str, Any]) -> None:
    items, camera = openalpr_to_items(frame)

    assert camera == "1234"
    assert [item["plate"] for item in items] == ["D2651BF", "CG3L5Y"]
    for item in items:
        assert_canonical(item)
        # epoch_time 1562681608425 is 2019-07-09 14:13:28.425 UTC
        assert item["captured_at"] == "2019-07-09T14:13:28.425000Z"
        assert (item["latitude"], item["longitude"]) == (None, None)
    assert len({item["id"] for item in items}) == 2


def test_frame_maps_box_confidence_state_and_crop(frame: dict[str, Any]) -> None:
    first, second = openalpr_to_items(frame)[0]

    assert first["plate_box"] == {"x": 3247, "y": 188, "width": 220, "height": 119}
    assert first["confidence"] == pytest.approx(0.929419174194336)
    assert first["state"] == "MO"
    assert first["plate_crop"] == frame["results"][0]["plate_crop_jpeg"]
    assert [c["plate"] for c in first["candidates"]] == ["D2651BF", "D2651F", "D265BF"]
    # Older agents report the bare state code.
    assert second["state"] == "MO"
    assert "plate_crop" not in second


def test_frame_ids_are_stable_and_differ_from_the_group_ids(
    frame: dict[str, Any], group: dict[str, Any]
) -> None:
    first = openalpr_to_items(frame)[0]
    again = openalpr_to_items(copy.deepcopy(frame))[0]
    frame["uuid"] = group["best_uuid"]
    same_frame_as_group = openalpr_to_items(frame)[0][0]
    [group_item], _ = openalpr_to_items(group)

    assert [i["id"] for i in first] == [i["id"] for i in again]
    assert same_frame_as_group["id"] != group_item["id"]


def test_bare_region_of_a_non_us_agent_is_not_a_state(frame: dict[str, Any]) -> None:
    frame["country"] = "eu"
    frame["results"][1]["region"] = "de"

    items, _ = openalpr_to_items(frame)

    assert "state" not in items[1]


@pytest.mark.parametrize("region", ["", "us", "mx-cmx", "us-zz", None])
def test_unknown_regions_leave_state_out(frame: dict[str, Any], region: str | None) -> None:
    frame["results"][0]["region"] = region

    items, _ = openalpr_to_items(frame)

    assert "state" not in items[0]


def test_frame_without_plates_gives_no_items(frame: dict[str, Any]) -> None:
    frame["results"] = []

    assert openalpr_to_items(frame) == ([], "1234")


# --- OpenALPR messages without reads, and errors -------------------------------------------


@pytest.mark.parametrize("data_type", ["heartbeat", "vehicle", "alpr_alert"])
def test_messages_without_reads_give_no_items(data_type: str) -> None:
    message = {"data_type": data_type, "agent_uid": "A1B2C3D4", "camera_id": 99}

    assert openalpr_to_items(message) == ([], "99")


def test_web_server_test_ping_gives_no_items() -> None:
    assert openalpr_to_items({"openalpr_webhook": "test"}) == ([], None)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m.pop("data_type"), "data_type"),
        (lambda m: m.update(data_type="alpr_something"), "data_type"),
        (lambda m: m.update(data_type=["alpr_group"]), "data_type"),
        (lambda m: m.pop("best_plate_number"), "best_plate_number"),
        (lambda m: m.pop("best_uuid"), "best_uuid"),
        (lambda m: (m.pop("best_uuid_epoch_ms"), m.pop("epoch_start")), "epoch_start"),
        (lambda m: m.update(epoch_start="yesterday", best_uuid_epoch_ms=None), "epoch_start"),
        (lambda m: m.update(candidates={"plate": "X"}), "candidates"),
        (lambda m: m["candidates"][0].pop("confidence"), "candidates[0].confidence"),
        (lambda m: m["best_plate"]["coordinates"][2].pop("y"), "best_plate.coordinates[2].y"),
        (lambda m: m.update(gps_latitude="37.6"), "gps_latitude"),
        (lambda m: m.update(vehicle=[]), "vehicle"),
        (lambda m: m["vehicle"].update(make="ford"), "vehicle.make"),
        (lambda m: m.update(best_confidence=True), "best_confidence"),
    ],
)
def test_malformed_group_names_the_field(group: dict[str, Any], change: Any, field: str) -> None:
    change(group)

    with pytest.raises(VendorPayloadError) as raised:
        openalpr_to_items(group)

    assert str(raised.value).startswith(field)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda m: m.update(results={"plate": "X"}), "results"),
        (lambda m: m.pop("results"), "results"),
        (lambda m: m.pop("epoch_time"), "epoch_time"),
        (lambda m: m.pop("uuid"), "uuid"),
        (lambda m: m["results"][1].pop("plate"), "results[1].plate"),
        (lambda m: m["results"].append("CG3L5Y"), "results[2]"),
    ],
)
def test_malformed_frame_names_the_field(frame: dict[str, Any], change: Any, field: str) -> None:
    change(frame)

    with pytest.raises(VendorPayloadError) as raised:
        openalpr_to_items(frame)

    assert str(raised.value).startswith(field)


def test_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(VendorPayloadError, match="payload must be a JSON object"):
        openalpr_to_items([])  # type: ignore[arg-type]


# --- Plate Recognizer Stream ---------------------------------------------------------------


def test_stream_result_maps_plate_time_state_and_box(stream: dict[str, Any]) -> None:
    items, camera = platerecognizer_to_items(stream)

    assert camera == "camera-1"
    [item] = items
    assert_canonical(item)
    assert item["plate"] == "7ABC123"
    assert item["captured_at"] == "2021-09-29T05:56:13.606935Z"
    assert item["confidence"] == pytest.approx(0.839)
    assert item["state"] == "CA"
    assert item["plate_box"] == {"x": 460, "y": 57, "width": 97, "height": 25}
    assert (item["latitude"], item["longitude"]) == (None, None)


def test_stream_vehicle_attributes(stream: dict[str, Any]) -> None:
    [item], _ = platerecognizer_to_items(stream)

    assert item["vehicle_make"] == "Toyota"
    assert item["vehicle_color"] == "white"
    assert item["vehicle_type"] == "Sedan"


def test_stream_candidates_without_scores_are_left_out(stream: dict[str, Any]) -> None:
    [item], _ = platerecognizer_to_items(stream)

    assert "candidates" not in item


def test_stream_local_time_offset_is_converted_to_utc(stream: dict[str, Any]) -> None:
    """GIVEN an older Stream that spells the time with an offset WHEN mapped THEN it is UTC."""
    stream["data"]["timestamp"] = "2021-09-29 07:56:13.606935+02:00"

    [item], _ = platerecognizer_to_items(stream)

    assert item["captured_at"] == "2021-09-29T05:56:13.606935Z"


def test_stream_id_is_stable_and_depends_on_camera_time_plate_and_box(
    stream: dict[str, Any],
) -> None:
    [first], _ = platerecognizer_to_items(stream)
    [again], _ = platerecognizer_to_items(copy.deepcopy(stream))
    ids = set()
    for change in (
        lambda d: d.update(camera_id="camera-2"),
        lambda d: d.update(timestamp="2021-09-29T05:56:14.606935Z"),
        lambda d: d["results"][0].update(plate="7abc124"),
        lambda d: d["results"][0]["box"].update(xmin=461),
    ):
        changed = copy.deepcopy(stream)
        change(changed["data"])
        ids.add(platerecognizer_to_items(changed)[0][0]["id"])

    assert first["id"] == again["id"]
    assert first["id"] not in ids
    assert len(ids) == 4


# --- Plate Recognizer Snapshot -------------------------------------------------------------


def test_snapshot_gives_one_item_per_result(snapshot: dict[str, Any]) -> None:
    items, camera = platerecognizer_to_items(snapshot)

    assert camera == "gate-north"
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
    items, _ = platerecognizer_to_items(snapshot)

    assert "state" not in items[0]  # "gb"
    assert items[1]["state"] == "TX"  # "us-tx"


@pytest.mark.parametrize(("code", "state"), [("ca", None), ("de", None), ("ca-qc", "QC")])
def test_region_codes_that_collide_with_states(
    snapshot: dict[str, Any], code: str, state: str | None
) -> None:
    snapshot["data"]["results"][0]["region"]["code"] = code

    items, _ = platerecognizer_to_items(snapshot)

    assert items[0].get("state") == state


def test_multipart_upload_becomes_every_items_overview(snapshot: dict[str, Any]) -> None:
    """GIVEN the "webhook with image" variant WHEN mapped THEN the upload is each overview."""
    upload = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"

    items, _ = platerecognizer_to_items(snapshot, image=upload)

    for item in items:
        assert base64.b64decode(item["overview"]) == upload
        assert_canonical(item)


def test_snapshot_without_camera_has_no_camera_identifier(snapshot: dict[str, Any]) -> None:
    snapshot["data"]["camera_id"] = None

    items, camera = platerecognizer_to_items(snapshot)

    assert camera is None
    assert len(items) == 2


def test_snapshot_without_plates_gives_no_items(snapshot: dict[str, Any]) -> None:
    snapshot["data"]["results"] = []

    assert platerecognizer_to_items(snapshot) == ([], "gate-north")


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

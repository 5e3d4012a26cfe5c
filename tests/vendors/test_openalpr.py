"""OpenALPR agent messages and `alpr -j` output mapped onto canonical read items."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from platekeeper.vendors import VendorMessage, VendorPayloadError, get_vendor
from tests.vendors.support import assert_canonical, load


def openalpr_to_items(document: Any) -> list[dict[str, Any]]:
    return get_vendor("openalpr").to_items(VendorMessage(document))


@pytest.fixture
def group() -> dict[str, Any]:
    return load("openalpr_alpr_group.json")


@pytest.fixture
def frame() -> dict[str, Any]:
    return load("openalpr_alpr_results.json")


# --- OpenALPR alpr_group -------------------------------------------------------------------


def test_group_maps_best_plate_time_and_place(group: dict[str, Any]) -> None:
    [item] = openalpr_to_items(group)

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

    [item] = openalpr_to_items(group)

    assert item["captured_at"] == "2019-07-09T14:05:21.504000Z"


def test_group_candidates_are_scaled_to_zero_one(group: dict[str, Any]) -> None:
    [item] = openalpr_to_items(group)

    assert [c["plate"] for c in item["candidates"]] == ["D2651BF", "D2651F", "D265BF"]
    assert item["candidates"][1]["confidence"] == pytest.approx(0.808129653930664)
    assert all(0 <= c["confidence"] <= 1 for c in item["candidates"])


def test_group_vehicle_attributes_take_the_most_confident_guess(group: dict[str, Any]) -> None:
    group["vehicle"]["color"].reverse()

    [item] = openalpr_to_items(group)

    assert item["vehicle_make"] == "ford"
    assert item["vehicle_color"] == "silver-gray"
    assert item["vehicle_type"] == "truck-standard"


def test_group_images_pass_through(group: dict[str, Any]) -> None:
    [item] = openalpr_to_items(group)

    assert item["plate_crop"] == group["best_plate"]["plate_crop_jpeg"]
    assert item["overview"] == group["vehicle_crop_jpeg"]


def test_vehicle_crop_as_overview_drops_the_full_frame_box(group: dict[str, Any]) -> None:
    """GIVEN only a vehicle crop WHEN mapped THEN no box, since its pixels are full-frame pixels."""
    [item] = openalpr_to_items(group)

    assert "plate_box" not in item


def test_full_frame_overview_keeps_the_plate_box(group: dict[str, Any]) -> None:
    group["overview_jpeg"] = "/9j/4AAQSkZJRgABBAAAAQABAAD/2Q=="

    [item] = openalpr_to_items(group)

    assert item["overview"] == group["overview_jpeg"]
    assert item["plate_box"] == {"x": 3247, "y": 188, "width": 220, "height": 119}


def test_group_without_images_carries_none(group: dict[str, Any]) -> None:
    del group["vehicle_crop_jpeg"]
    del group["best_plate"]["plate_crop_jpeg"]

    [item] = openalpr_to_items(group)

    assert "overview" not in item
    assert "plate_crop" not in item
    assert item["plate_box"]["x"] == 3247


def test_group_id_is_stable_across_resends(group: dict[str, Any]) -> None:
    [first] = openalpr_to_items(group)
    [again] = openalpr_to_items(copy.deepcopy(group))
    group["best_uuid"] = group["uuids"][2]
    [other] = openalpr_to_items(group)

    assert first["id"] == again["id"]
    assert other["id"] != first["id"]
    assert uuid.UUID(first["id"]).version == 5


def test_group_id_depends_on_agent_and_camera(group: dict[str, Any]) -> None:
    [first] = openalpr_to_items(group)
    group["camera_id"] = 5678
    [other_camera] = openalpr_to_items(group)
    group["agent_uid"] = "B" * 40
    [other_agent] = openalpr_to_items(group)

    assert len({first["id"], other_camera["id"], other_agent["id"]}) == 3


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(0, 0), (0.0, 0.0), (None, None), (37.6, None)]
)
def test_group_without_gps_fix_has_unknown_position(
    group: dict[str, Any], latitude: float | None, longitude: float | None
) -> None:
    group["gps_latitude"] = latitude
    group["gps_longitude"] = longitude

    [item] = openalpr_to_items(group)

    assert item["latitude"] is None
    assert item["longitude"] is None


def test_group_missing_gps_fields_has_unknown_position(group: dict[str, Any]) -> None:
    del group["gps_latitude"], group["gps_longitude"]

    [item] = openalpr_to_items(group)

    assert (item["latitude"], item["longitude"]) == (None, None)


def test_preview_group_is_skipped_in_favour_of_the_final_group(group: dict[str, Any]) -> None:
    group["is_preview"] = True

    assert openalpr_to_items(group) == []


def test_group_without_camera_is_identified_by_its_agent(group: dict[str, Any]) -> None:
    [first] = openalpr_to_items(group)
    del group["camera_id"]

    [without_camera] = openalpr_to_items(group)

    assert without_camera["id"] != first["id"]
    assert without_camera["plate"] == first["plate"]


# --- OpenALPR alpr_results -----------------------------------------------------------------


def test_frame_gives_one_item_per_plate(frame: dict[str, Any]) -> None:
    items = openalpr_to_items(frame)

    assert [item["plate"] for item in items] == ["D2651BF", "CG3L5Y"]
    for item in items:
        assert_canonical(item)
        # epoch_time 1562681608425 is 2019-07-09 14:13:28.425 UTC
        assert item["captured_at"] == "2019-07-09T14:13:28.425000Z"
        assert (item["latitude"], item["longitude"]) == (None, None)
    assert len({item["id"] for item in items}) == 2


def test_frame_maps_box_confidence_state_and_crop(frame: dict[str, Any]) -> None:
    first, second = openalpr_to_items(frame)

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
    first = openalpr_to_items(frame)
    again = openalpr_to_items(copy.deepcopy(frame))
    frame["uuid"] = group["best_uuid"]
    same_frame_as_group = openalpr_to_items(frame)[0]
    [group_item] = openalpr_to_items(group)

    assert [i["id"] for i in first] == [i["id"] for i in again]
    assert same_frame_as_group["id"] != group_item["id"]


def test_bare_region_of_a_non_us_agent_is_not_a_state(frame: dict[str, Any]) -> None:
    frame["country"] = "eu"
    frame["results"][1]["region"] = "de"

    items = openalpr_to_items(frame)

    assert "state" not in items[1]


@pytest.mark.parametrize("region", ["", "us", "mx-cmx", "us-zz", None])
def test_unknown_regions_leave_state_out(frame: dict[str, Any], region: str | None) -> None:
    frame["results"][0]["region"] = region

    items = openalpr_to_items(frame)

    assert "state" not in items[0]


def test_frame_without_plates_gives_no_items(frame: dict[str, Any]) -> None:
    frame["results"] = []

    assert openalpr_to_items(frame) == []


# --- OpenALPR messages without reads, and errors -------------------------------------------


@pytest.mark.parametrize("data_type", ["heartbeat", "vehicle", "alpr_alert"])
def test_messages_without_reads_give_no_items(data_type: str) -> None:
    message = {"data_type": data_type, "agent_uid": "A1B2C3D4", "camera_id": 99}

    assert openalpr_to_items(message) == []


def test_web_server_test_ping_gives_no_items() -> None:
    assert openalpr_to_items({"openalpr_webhook": "test"}) == []


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
        (lambda m: m.update(uuid=7), "uuid"),
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


# --- `alpr -j` (OpenALPR 2.3's command line) -----------------------------------------------


@pytest.fixture
def cli_output() -> dict[str, Any]:
    return load("openalpr_alpr_cli.json")


def test_command_line_output_without_uuid_gives_its_reads(cli_output: dict[str, Any]) -> None:
    [item] = openalpr_to_items(cli_output)

    assert_canonical(item)
    assert item["plate"] == "8LXK204"
    # epoch_time 1764425107418 is 2025-11-29 14:05:07.418 UTC
    assert item["captured_at"] == "2025-11-29T14:05:07.418000Z"
    assert item["confidence"] == pytest.approx(0.90417313)
    assert item["plate_box"] == {"x": 604, "y": 429, "width": 138, "height": 71}
    assert "state" not in item  # `alpr` without `-p` reports no region


def test_command_line_read_id_is_the_same_for_the_same_photo(cli_output: dict[str, Any]) -> None:
    [first] = openalpr_to_items(cli_output)
    [again] = openalpr_to_items(copy.deepcopy(cli_output))

    assert first["id"] == again["id"]


@pytest.mark.parametrize(
    "change",
    [
        lambda m: m.update(epoch_time=m["epoch_time"] + 1),
        lambda m: m.update(camera_id=7),
        lambda m: m["results"][0].update(plate="8LXK2O4"),
        lambda m: m["results"][0]["coordinates"][0].update(x=605),
    ],
)
def test_command_line_read_id_depends_on_time_camera_plate_and_place(
    cli_output: dict[str, Any], change: Any
) -> None:
    [first] = openalpr_to_items(cli_output)
    change(cli_output)

    [other] = openalpr_to_items(cli_output)

    assert other["id"] != first["id"]

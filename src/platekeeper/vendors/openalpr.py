"""OpenALPR / Rekor Scout: the agent's webhooks (`alpr_group`, `alpr_results`, heartbeats) and
the `alpr -j` command line's output.

Where the field names come from:

- The agent: the "JSON Plate Results", "JSON Group Results" and "JSON Heartbeat" sections of
  the OpenALPR docs (github.com/openalpr/doc, source/app_integration.include; republished at
  docs.rekor.ai/scout/application-integration/), which add `gps_latitude`, `gps_longitude` and
  `vehicle_crop_jpeg` in the agent 2.7 version. The `vehicle` object (`color`, `make`,
  `make_model`, `body_type`, `year`, `orientation`, each a list of `{name, confidence}`),
  `is_preview`, `best_uuid_epoch_ms`, `overview_jpeg` and the `{"openalpr_webhook": "test"}`
  ping follow the receiver models of github.com/mlapaglia/OpenAlprWebhookProcessor
  (WebhookProcessor/OpenAlprWebhook/*.cs, WebhookController.cs). `alpr_alert` and `is_preview`
  are described in Rekor's help articles (help.rekor.ai: "receive data ... using webhooks",
  "set up real-time group results").
- The command line: `alpr -j` of OpenALPR 2.3 (src/main.cpp and alpr_impl.cpp's `toJson` in
  github.com/openalpr/openalpr) prints one `alpr_results` object per image without `uuid`,
  `camera_id` or `agent_uid`: `version`, `data_type`, `epoch_time`, `img_width`, `img_height`,
  `processing_time_ms`, `regions_of_interest`, `results`.
"""

from __future__ import annotations

from typing import Any

from platekeeper.vendors.items import (
    box_around,
    percent,
    read_id,
    read_item,
    state_from_region,
    top_label,
)
from platekeeper.vendors.models import (
    Identifier,
    Image,
    Number,
    Pixel,
    Plate,
    Text,
    VendorModel,
    from_epoch,
    parse,
)
from platekeeper.vendors.registry import Vendor, VendorMessage, VendorPayloadError, register_vendor

#: Message types that never describe a new read. Heartbeats are health reports; `vehicle`
#: messages describe vehicles seen without a readable plate; an `alpr_alert` wraps a group the
#: agent also sends on its own as `alpr_group`, and platekeeper does its own hotlist matching.
TYPES_WITHOUT_READS = frozenset({"heartbeat", "vehicle", "alpr_alert"})


class Corner(VendorModel):
    x: Pixel
    y: Pixel


class Candidate(VendorModel):
    plate: Plate
    confidence: Number


class BestPlate(VendorModel):
    confidence: Number | None = None
    region: Any = None
    candidates: list[Candidate] | None = None
    coordinates: list[Corner] | None = None
    plate_crop_jpeg: Image = None


class PlateResult(BestPlate):
    plate: Plate


class Guess(VendorModel):
    name: Text | None = None
    confidence: Number | None = None


class Vehicle(VendorModel):
    color: list[Guess] | None = None
    make: list[Guess] | None = None
    body_type: list[Guess] | None = None


class Message(VendorModel):
    """What every message carries: who sent it, and where the agent was."""

    agent_uid: Identifier = None
    camera_id: Identifier = None
    country: Any = None
    gps_latitude: Number | None = None
    gps_longitude: Number | None = None


class Group(Message):
    """`alpr_group`: one vehicle pass."""

    best_plate_number: Plate
    best_uuid: Text
    best_uuid_epoch_ms: Number | None = None
    epoch_start: Number | None = None
    best_confidence: Number | None = None
    best_region: Any = None
    best_plate: BestPlate = BestPlate()
    candidates: list[Candidate] | None = None
    overview_jpeg: Image = None
    vehicle_crop_jpeg: Image = None
    vehicle: Vehicle = Vehicle()
    is_preview: Any = None


class Frame(Message):
    """`alpr_results`: the plates in one video frame (agent) or one photo (`alpr -j`)."""

    epoch_time: Number
    results: list[PlateResult]
    uuid: Text | None = None


def to_items(message: VendorMessage) -> list[dict[str, Any]]:
    """Map one OpenALPR message onto read items.

    `alpr_group` gives one item; `alpr_results` one item per plate. Heartbeats, `vehicle` and
    `alpr_alert` messages, the web server's test ping and group previews carry no new read and
    give none. An unknown `data_type` is refused, so a new message kind is noticed instead of
    silently dropped.
    """
    document = message.document
    if not isinstance(document, dict):
        raise VendorPayloadError(f"payload must be a JSON object, not {type(document).__name__}")
    if "data_type" not in document:
        if "openalpr_webhook" in document:
            # The web server's "test webhook" button sends only {"openalpr_webhook": "test"}.
            return []
        raise VendorPayloadError("data_type is missing")
    data_type = document["data_type"]
    if not isinstance(data_type, str):
        raise VendorPayloadError(f"data_type must be a string, not {type(data_type).__name__}")
    if data_type == "alpr_group":
        if document.get("is_preview") is True:
            # Previews are sent while the vehicle is still in view, and the final group follows
            # with a possibly different best frame; keeping both would store the pass twice.
            return []
        return [_group_item(parse(Group, document))]
    if data_type == "alpr_results":
        return _frame_items(parse(Frame, document))
    if data_type in TYPES_WITHOUT_READS:
        return []
    raise VendorPayloadError(f"data_type {data_type!r} is not an OpenALPR message type we know")


def _group_item(group: Group) -> dict[str, Any]:
    # The best frame's own time when the agent sends it (2.7+); otherwise the first sighting.
    if group.best_uuid_epoch_ms is not None:
        captured_at = from_epoch(group.best_uuid_epoch_ms, "best_uuid_epoch_ms", scale=1000)
    elif group.epoch_start is not None:
        captured_at = from_epoch(group.epoch_start, "epoch_start", scale=1000)
    else:
        raise VendorPayloadError("epoch_start is missing")
    best = group.best_plate
    confidence = group.best_confidence if group.best_confidence is not None else best.confidence
    candidates = group.candidates if group.candidates is not None else best.candidates
    plate_box = _box(best.coordinates)
    overview = group.overview_jpeg
    if overview is None and group.vehicle_crop_jpeg is not None:
        # Without the full frame the vehicle crop is the best picture of the pass, but the plate
        # box is in full-frame pixels and would point at the wrong place on the crop.
        overview, plate_box = group.vehicle_crop_jpeg, None
    region = group.best_region if group.best_region is not None else best.region
    latitude, longitude = _position(group)
    return read_item(
        read_id=read_id(
            "openalpr", "alpr_group", group.agent_uid, group.camera_id, group.best_uuid
        ),
        plate=group.best_plate_number,
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
        confidence=percent(confidence),
        state=state_from_region(region, bare_code_is_state=group.country in (None, "us")),
        candidates=_candidates(candidates),
        plate_box=plate_box,
        plate_crop=best.plate_crop_jpeg,
        overview=overview,
        vehicle_make=_top(group.vehicle.make),
        vehicle_color=_top(group.vehicle.color),
        vehicle_type=_top(group.vehicle.body_type),
    )


def _frame_items(frame: Frame) -> list[dict[str, Any]]:
    captured_at = from_epoch(frame.epoch_time, "epoch_time", scale=1000)
    latitude, longitude = _position(frame)
    items = []
    for index, result in enumerate(frame.results):
        if frame.uuid is not None:
            # A frame can hold several plates, so the position in the frame is part of the id.
            key: tuple[object, ...] = (frame.agent_uid, frame.camera_id, frame.uuid, index)
        else:
            # `alpr -j` names no frame: the photo's time, the camera and the plate's place in
            # it identify the read, so running the same photo again resends the same read.
            corners = tuple((c.x, c.y) for c in result.coordinates or ())
            key = ("cli", frame.camera_id, frame.epoch_time, result.plate, corners)
        items.append(
            read_item(
                read_id=read_id("openalpr", "alpr_results", *key),
                plate=result.plate,
                captured_at=captured_at,
                latitude=latitude,
                longitude=longitude,
                confidence=percent(result.confidence),
                state=state_from_region(
                    result.region, bare_code_is_state=frame.country in (None, "us")
                ),
                candidates=_candidates(result.candidates),
                plate_box=_box(result.coordinates),
                plate_crop=result.plate_crop_jpeg,
            )
        )
    return items


def _position(message: Message) -> tuple[float | None, float | None]:
    """The agent's GPS fix, or (None, None): agents without a GPS receiver report 0/0."""
    latitude, longitude = message.gps_latitude, message.gps_longitude
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return None, None
    return latitude, longitude


def _candidates(candidates: list[Candidate] | None) -> list[dict[str, Any]]:
    return [{"plate": c.plate, "confidence": percent(c.confidence)} for c in candidates or ()]


def _box(corners: list[Corner] | None) -> dict[str, int] | None:
    corners = corners or []
    return box_around([c.x for c in corners], [c.y for c in corners])


def _top(guesses: list[Guess] | None) -> str | None:
    return top_label((g.name, g.confidence) for g in guesses or ())


register_vendor(
    Vendor(
        name="openalpr",
        label="OpenALPR agent",
        summary="OpenALPR agent webhook or `alpr -j` output",
        to_items=to_items,
    )
)

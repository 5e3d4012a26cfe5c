"""Plate Recognizer: Snapshot and Stream webhooks.

Where the field names come from: guides.platerecognizer.com/docs/snapshot/results (Snapshot
webhooks: `hook.event` "image.done", the "Webhook with Image" multipart variant with a `json`
field and an `upload` JPEG file), guides.platerecognizer.com/docs/stream/results (Stream output
fields) and the Stream webhook sample published by Plate Recognizer staff (gist.github.com/
danleyb2, 6d2220c1eae6d9b57a9d246df873dcb7: `hook.event` "recognition", `data.timestamp` in UTC
with a `Z`, candidates without a score, `direction` that may be an empty string).

Snapshot sends `2025-09-09 23:22:38.030345`, the request time in UTC without an offset, so a
time without an offset is taken as UTC.
"""

from __future__ import annotations

import base64
from typing import Any

from platekeeper.vendors.items import iso_utc, read_id, read_item, state_from_region, top_label
from platekeeper.vendors.models import (
    Identifier,
    Number,
    Pixel,
    Plate,
    Text,
    Timestamp,
    VendorModel,
    parse,
)
from platekeeper.vendors.registry import Vendor, VendorMessage, VendorPayloadError, register_vendor

#: `hook.event` values whose `data.results` are plate reads: Stream sends "recognition",
#: Snapshot sends "image.done".
READ_EVENTS = frozenset({"recognition", "image.done"})


class Box(VendorModel):
    xmin: Pixel
    ymin: Pixel
    xmax: Pixel
    ymax: Pixel


class Region(VendorModel):
    code: Any = None


class Candidate(VendorModel):
    plate: Plate
    score: Number | None = None


class MakeGuess(VendorModel):
    make: Text | None = None
    score: Number | None = None


class ColorGuess(VendorModel):
    color: Text | None = None
    score: Number | None = None


class VehicleKind(VendorModel):
    type: Text | None = None


class Result(VendorModel):
    plate: Plate
    box: Box | None = None
    region: Region = Region()
    score: Number | None = None
    candidates: list[Candidate] | None = None
    vehicle: VehicleKind = VehicleKind()
    model_make: list[MakeGuess] | None = None
    color: list[ColorGuess] | None = None


class Data(VendorModel):
    camera_id: Identifier = None
    timestamp: Timestamp
    results: list[Result]


class Hook(VendorModel):
    event: Any = None


class Webhook(VendorModel):
    hook: Hook | None = None
    data: Data


def to_items(message: VendorMessage) -> list[dict[str, Any]]:
    """Map one Snapshot or Stream webhook onto read items, one per result.

    The multipart "webhook with image" variant's `upload` file becomes every item's overview
    (the plate boxes are in its pixels).
    """
    webhook = parse(Webhook, message.document)
    if webhook.hook is not None and (
        not isinstance(webhook.hook.event, str) or webhook.hook.event not in READ_EVENTS
    ):
        raise VendorPayloadError(
            f"hook.event {webhook.hook.event!r} is not a Plate Recognizer recognition event"
        )
    image = message.files.get("upload")
    overview = base64.b64encode(image).decode("ascii") if image else None
    data = webhook.data
    return [_item(result, data, overview) for result in data.results]


def _item(result: Result, data: Data, overview: str | None) -> dict[str, Any]:
    box = result.box
    plate_box = (
        None
        if box is None
        else {
            "x": box.xmin,
            "y": box.ymin,
            "width": box.xmax - box.xmin,
            "height": box.ymax - box.ymin,
        }
    )
    box_key = None if plate_box is None else tuple(plate_box.values())
    return read_item(
        read_id=read_id(
            "platerecognizer", data.camera_id, iso_utc(data.timestamp), result.plate, box_key
        ),
        plate=result.plate,
        captured_at=data.timestamp,
        confidence=result.score,
        # Plate Recognizer's bare codes (`gb`, `ca`) are countries, never states.
        state=state_from_region(result.region.code, bare_code_is_state=False),
        # Stream sends candidates without a score; a candidate item needs one, and inventing a
        # number would mislead whoever ranks them, so those alternatives are left out.
        candidates=[
            {"plate": c.plate, "confidence": c.score}
            for c in result.candidates or ()
            if c.score is not None
        ],
        plate_box=plate_box,
        overview=overview,
        vehicle_make=top_label((g.make, g.score) for g in result.model_make or ()),
        vehicle_color=top_label((g.color, g.score) for g in result.color or ()),
        vehicle_type=result.vehicle.type or None,
    )


register_vendor(
    Vendor(
        name="platerecognizer",
        label="Plate Recognizer",
        summary="Plate Recognizer Snapshot/Stream webhook",
        to_items=to_items,
    )
)

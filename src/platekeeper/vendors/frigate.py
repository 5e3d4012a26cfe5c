"""Frigate NVR (0.16+): tracked objects with a recognised plate, from its MQTT messages.

Fields: docs.frigate.video/integrations/mqtt and /configuration/license_plate_recognition.
`frigate/events` carries `{"type": "new"|"update"|"end", "before": {...}, "after": {...}}`
where a car or motorcycle object has `recognized_license_plate` (text) and
`recognized_license_plate_score` (0..1) once read; `frigate/tracked_object_update` carries
`{"type": "lpr", "id", "camera", "plate", "score", "timestamp", "name"}`, also for plates
Frigate knows by name (whose events show the name as `sub_label` instead).

One ended object with a plate is one read: its id is Frigate's object id, so the events
Frigate repeats, and a bridge that hears an event again after a restart, give the same read.
The bridge (`platekeeper bridge frigate`) listens on MQTT and fetches snapshots; this route
takes the same `end` events posted over HTTP (for example by a Node-RED or Home Assistant
automation).
"""

from __future__ import annotations

import base64
from typing import Any

from platekeeper.vendors.items import read_id, read_item
from platekeeper.vendors.models import Number, Text, VendorModel, from_epoch, parse
from platekeeper.vendors.registry import Vendor, VendorMessage, register_vendor

#: The object labels Frigate reads plates on.
VEHICLE_LABELS = frozenset({"car", "motorcycle"})


class Snapshot(VendorModel):
    frame_time: Number | None = None


class TrackedObject(VendorModel):
    id: Text
    camera: Text
    label: Text
    start_time: Number
    end_time: Number | None = None
    recognized_license_plate: Text | None = None
    recognized_license_plate_score: Number | None = None
    snapshot: Snapshot | None = None


class Event(VendorModel):
    """A `frigate/events` message."""

    type: Text
    after: TrackedObject


class PlateUpdate(VendorModel):
    """A `frigate/tracked_object_update` message of type `lpr`."""

    type: Text
    id: Text
    plate: Text | None = None
    score: Number | None = None


def parse_event(document: Any) -> Event:
    return parse(Event, document)


def parse_plate_update(document: Any) -> PlateUpdate:
    return parse(PlateUpdate, document)


def ended_vehicle(event: Event) -> bool:
    """Whether the event is the last of a car or motorcycle: the moment its read is final."""
    return event.type == "end" and event.after.label in VEHICLE_LABELS


def object_item(
    tracked: TrackedObject, plate: str, score: float | None, snapshot: bytes | None = None
) -> dict[str, Any]:
    """The read of one ended object, at its best snapshot's time when Frigate says it."""
    moment = tracked.snapshot.frame_time if tracked.snapshot else None
    captured_at = from_epoch(moment if moment is not None else tracked.start_time, "frame_time")
    return read_item(
        read_id=read_id("frigate", tracked.camera, tracked.id),
        plate=plate.strip().upper(),
        captured_at=captured_at,
        confidence=score,
        overview=base64.b64encode(snapshot).decode("ascii") if snapshot else None,
    )


def to_items(message: VendorMessage) -> list[dict[str, Any]]:
    """An `end` event of a vehicle with `recognized_license_plate` gives its read."""
    event = parse_event(message.document)
    plate = event.after.recognized_license_plate
    if not ended_vehicle(event) or not plate or not plate.strip():
        return []
    return [object_item(event.after, plate, event.after.recognized_license_plate_score)]


register_vendor(
    Vendor(
        name="frigate",
        label="Frigate NVR",
        summary="Frigate `frigate/events` message (an ended car or motorcycle)",
        to_items=to_items,
    )
)

"""Frigate's MQTT payloads as its documentation shows them (docs.frigate.video/integrations/mqtt):
`frigate/events` messages and `frigate/tracked_object_update` plate readings."""

from __future__ import annotations

from typing import Any

START = 1764425100.0


def tracked(object_id: str, camera: str, *, label: str = "car", plate: str | None = None,
            ended: bool = False, score: float | None = 0.93) -> dict[str, Any]:  # fmt: skip
    start = START + (hash(object_id) % 1000) / 10
    return {
        "id": object_id,
        "camera": camera,
        "frame_time": start + 4.2,
        "snapshot": {
            "frame_time": start + 2.5,
            "box": [415, 489, 528, 700],
            "area": 12728,
            "region": [260, 446, 660, 846],
            "score": 0.77546,
            "attributes": [],
        },
        "label": label,
        "sub_label": None,
        "top_score": 0.958984375,
        "false_positive": False,
        "start_time": start,
        "end_time": start + 6.0 if ended else None,
        "score": 0.87890625,
        "box": [424, 500, 536, 712],
        "area": 23744,
        "ratio": 2.113207,
        "region": [264, 450, 667, 853],
        "current_zones": ["driveway"],
        "entered_zones": ["driveway"],
        "thumbnail": None,
        "has_snapshot": True,
        "has_clip": False,
        "active": not ended,
        "stationary": False,
        "motionless_count": 0,
        "position_changes": 1,
        "attributes": {},
        "current_attributes": [],
        "recognized_license_plate": plate,
        "recognized_license_plate_score": score if plate else None,
    }


def event(kind: str, before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, Any]:
    return {"type": kind, "before": before or {}, "after": after}


def pass_of(object_id: str, camera: str, plate: str | None) -> list[tuple[str, dict]]:
    """A car's life on `events`: new without a plate, an update with it, the end."""
    first = tracked(object_id, camera)
    read = tracked(object_id, camera, plate=plate)
    end = tracked(object_id, camera, plate=plate, ended=True)
    return [
        ("events", event("new", None, first)),
        ("events", event("update", first, read)),
        ("events", event("end", read, end)),
    ]


def lpr_update(object_id: str, camera: str, plate: str) -> tuple[str, dict]:
    return (
        "tracked_object_update",
        {
            "type": "lpr",
            "id": object_id,
            "name": "Neighbour's car",
            "plate": plate,
            "score": 0.95,
            "camera": camera,
            "timestamp": START + 3,
        },
    )

"""Shared by the vendor tests: the captured samples, and the check that items are canonical."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

from platekeeper.wire import Candidate, PlateBox, ReadItem

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
READ_ITEM_FIELDS = {field.name for field in dataclasses.fields(ReadItem)}


def load(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / name).read_text())


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

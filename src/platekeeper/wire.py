"""The ingestion wire contract between cameras (or the agent) and the server. Standard library only.

`POST /api/v1/reads` takes `{"reads": [item, ...]}` (at most `MAX_BATCH` items) where each item
has the fields of `ReadItem`; images travel base64-encoded in `plate_crop` / `overview`, or as
multipart parts named by `plate_crop_file` / `overview_file`. The server answers
`{"stored": N, "duplicates": N, "rejected": [{"index": I, "reason": "..."}]}`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import uuid
from typing import Any

MAX_BATCH = 1000


@dataclasses.dataclass(frozen=True)
class Candidate:
    """One alternative reading of a plate with the engine's confidence in it (0..1)."""

    plate: str
    confidence: float


@dataclasses.dataclass(frozen=True)
class PlateBox:
    """Where the plate sits in the overview image, in pixels."""

    x: int
    y: int
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class ReadItem:
    """One plate read as a camera sends it. `id` is chosen by the sender so retries are safe."""

    id: uuid.UUID
    plate: str
    captured_at: dt.datetime
    latitude: float
    longitude: float
    confidence: float | None = None
    state: str | None = None
    candidates: tuple[Candidate, ...] = ()
    heading: float | None = None
    speed_kmh: float | None = None
    plate_box: PlateBox | None = None
    plate_crop: bytes | None = None
    overview: bytes | None = None
    vehicle_make: str | None = None
    vehicle_color: str | None = None
    vehicle_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the item as the JSON object the server expects (images base64-encoded)."""
        if self.captured_at.tzinfo is None:
            raise ValueError("captured_at must carry a time zone")
        item: dict[str, Any] = {
            "id": str(self.id),
            "plate": self.plate,
            "captured_at": self.captured_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "latitude": self.latitude,
            "longitude": self.longitude,
        }
        optional = {
            "confidence": self.confidence,
            "state": self.state,
            "heading": self.heading,
            "speed_kmh": self.speed_kmh,
            "vehicle_make": self.vehicle_make,
            "vehicle_color": self.vehicle_color,
            "vehicle_type": self.vehicle_type,
        }
        item.update({key: value for key, value in optional.items() if value is not None})
        if self.candidates:
            item["candidates"] = [dataclasses.asdict(c) for c in self.candidates]
        if self.plate_box is not None:
            item["plate_box"] = dataclasses.asdict(self.plate_box)
        for name in ("plate_crop", "overview"):
            data = getattr(self, name)
            if data is not None:
                item[name] = base64.b64encode(data).decode("ascii")
        return item

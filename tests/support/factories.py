"""factory-boy factories for server models, and helpers that build wire-format read items."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import factory
from PIL import Image as PILImage

from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.cameras.models import Camera, CameraKind


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    ori = factory.Sequence(lambda n: f"CA{n:07d}")
    type = AgencyType.LAW_ENFORCEMENT
    jurisdiction = "CA"


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    name = factory.Sequence(lambda n: f"Camera {n}")
    kind = CameraKind.FIXED
    latitude = 37.8244
    longitude = -122.2317
    agency = factory.SubFactory(AgencyFactory)


def read_item(**overrides: object) -> dict[str, object]:
    """A valid read item in the wire format, with fields overridable per test."""
    item: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "plate": "7ABC123",
        "captured_at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat(),
        "latitude": 37.8251,
        "longitude": -122.2324,
        "confidence": 0.93,
        "state": "CA",
    }
    item.update(overrides)
    return item


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (120, 60), color: str = "white"
) -> bytes:
    """A real, decodable image file made in memory."""
    buffer = io.BytesIO()
    PILImage.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()

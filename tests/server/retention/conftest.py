"""Retention fixtures: reads captured at chosen moments, each with its own image, and holds."""

from __future__ import annotations

import base64
import datetime as dt

import pytest

from platekeeper.server.reads.actions import record_reads
from platekeeper.server.retention.actions import HoldSelection, place_hold
from platekeeper.server.retention.models import HoldReason
from tests.support.factories import CameraFactory, image_bytes, read_item

CASE = "24-00123"
_colour = iter(range(1, 1 << 24))


def unique_image() -> str:
    """A base64 JPEG no other read shares (its digest is its own)."""
    return base64.b64encode(image_bytes(color=f"#{next(_colour) * 7919 % (1 << 24):06x}")).decode()


def store_reads(
    camera, *, captured_at: dt.datetime, count: int = 1, plate: str = "7ABC123", **extra
) -> list[str]:
    """Store `count` reads of `plate` captured at one moment, each with its own plate crop."""
    items = [
        read_item(
            plate=plate, captured_at=captured_at.isoformat(), plate_crop=unique_image(), **extra
        )
        for _ in range(count)
    ]
    result = record_reads(camera, items)
    assert result.stored == count, result.rejected
    return [str(i) for i in result.stored_ids]


def hold_plate(requester, plate: str = "7ABC123", case: str = CASE, **selection):
    """Hold every read of a plate for a case, as an investigator would."""
    return place_hold(
        requester,
        purpose="criminal_investigation",
        case_number=case,
        reason=HoldReason.CRIMINAL_ACTION,
        requested_by="DDA J. Doe",
        selection=HoldSelection(plate=plate, **selection),
    )


@pytest.fixture
def camera(db):
    return CameraFactory()


def days_ago(days: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)

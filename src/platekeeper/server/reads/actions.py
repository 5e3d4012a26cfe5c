"""Every change to reads: ingestion of batches from cameras."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from pydantic import ValidationError

from platekeeper.errors import PlatekeeperError
from platekeeper.geo import geocell
from platekeeper.plates import normalize_plate
from platekeeper.server.alerts.actions import RaisedAlert, raise_alerts
from platekeeper.server.cameras.models import Camera
from platekeeper.server.common.bulk import insert_ignoring_duplicates
from platekeeper.server.reads.images import ImageRejected, check_image, store_images
from platekeeper.server.reads.models import Read, ReadKey, ReadSource
from platekeeper.server.reads.schemas import ReadIn, describe_validation_error
from platekeeper.wire import MAX_BATCH


@dataclass(frozen=True)
class Rejection:
    """An item of a batch that was not stored, by its position in the batch, and why."""

    index: int
    reason: str


@dataclass(frozen=True)
class IngestResult:
    stored: int
    duplicates: int
    rejected: tuple[Rejection, ...]
    stored_ids: tuple[uuid.UUID, ...]
    alerts: tuple[RaisedAlert, ...] = ()


@dataclass(frozen=True)
class NewRead:
    """An unsaved read and the image bytes that go with it."""

    read: Read
    plate_crop: bytes | None
    overview: bytes | None


class _ItemRejected(ValueError):
    pass


class BatchTooLarge(PlatekeeperError, ValueError):
    """The whole batch is refused: it holds more items than one call may carry."""


def record_reads(
    camera: Camera,
    items: Sequence[object],
    *,
    source: str = ReadSource.API,
    files: Mapping[str, bytes] | None = None,
) -> IngestResult:
    """Validate each item, then store the valid new ones and their images in one transaction.

    Invalid items are reported by index and skipped; the rest are stored. Items whose id is
    already stored (or repeated within the batch) count as duplicates and change nothing, so a
    camera can resend a batch whose answer it never received.
    """
    if len(items) > MAX_BATCH:
        raise BatchTooLarge(f"reads: at most {MAX_BATCH} items per batch, got {len(items)}")
    now = timezone.now()
    rejected: list[Rejection] = []
    prepared: dict[uuid.UUID, NewRead] = {}
    duplicates = 0
    for index, item in enumerate(items):
        try:
            candidate = _prepare(item, camera=camera, source=source, files=files or {}, now=now)
        except _ItemRejected as error:
            rejected.append(Rejection(index=index, reason=str(error)))
            continue
        if candidate.read.id in prepared:
            duplicates += 1
        else:
            prepared[candidate.read.id] = candidate

    with transaction.atomic():
        already = stored_read_ids(list(prepared))
        new = [entry for read_id, entry in prepared.items() if read_id not in already]
        stored = insert_reads(new)
        # Matching happens before the call returns, so the camera's answer lists its alerts.
        alerts = raise_alerts([entry.read for entry in new])
        Camera.objects.filter(pk=camera.pk).update(last_seen_at=now)
    # Rows a concurrent sender stored between our check and our insert are duplicates too.
    duplicates += len(prepared) - stored

    return IngestResult(
        stored=stored,
        duplicates=duplicates,
        rejected=tuple(rejected),
        stored_ids=tuple(entry.read.id for entry in new),
        alerts=tuple(alerts),
    )


def stored_read_ids(ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` are stored. On PostgreSQL the key table answers with one index lookup
    per id, however many day partitions the reads table has (see `reads.partitions`)."""
    table = ReadKey if connection.vendor == "postgresql" else Read
    return set(table.objects.filter(id__in=ids).values_list("id", flat=True))


def insert_reads(entries: Sequence[NewRead]) -> int:
    """Store the reads and their images; return how many reads were new.

    The one way reads enter the table, for the API and the demo seeder alike. Call inside a
    transaction so images and reads land together.
    """
    _attach_images(entries)
    return insert_ignoring_duplicates([entry.read for entry in entries])


def _attach_images(entries: Sequence[NewRead]) -> None:
    """Store the entries' images (one batch) and point each read at its image digests."""
    wanted = [
        (entry.read, field, data)
        for entry in entries
        for field, data in (("plate_crop_id", entry.plate_crop), ("overview_id", entry.overview))
        if data is not None
    ]
    digests = store_images(data for _, _, data in wanted)
    for (read, field, _), digest in zip(wanted, digests, strict=True):
        setattr(read, field, digest)


def _prepare(
    item: object, *, camera: Camera, source: str, files: Mapping[str, bytes], now: dt.datetime
) -> NewRead:
    """Turn one raw item into an unsaved Read plus its image bytes, or raise _ItemRejected."""
    if not isinstance(item, dict):
        raise _ItemRejected("item: must be a JSON object")
    try:
        data = ReadIn.model_validate(item)
    except ValidationError as error:
        raise _ItemRejected(describe_validation_error(error)) from None

    skew = dt.timedelta(seconds=settings.PLATEKEEPER_MAX_CLOCK_SKEW_SECONDS)
    if data.captured_at > now + skew:
        raise _ItemRejected("captured_at: is in the future; check the camera clock")
    latitude, longitude = _position(data, camera)
    plate_crop = _image_bytes("plate_crop", data.plate_crop, data.plate_crop_file, files)
    overview = _image_bytes("overview", data.overview, data.overview_file, files)

    read = Read(
        id=data.id,
        camera=camera,
        source=source,
        plate=data.plate,
        plate_normalized=normalize_plate(data.plate),
        state=data.state or "",
        confidence=data.confidence,
        candidates=[c.model_dump() for c in data.candidates],
        captured_at=data.captured_at,
        received_at=now,
        latitude=latitude,
        longitude=longitude,
        geocell=geocell(latitude, longitude),
        heading=data.heading,
        speed_kmh=data.speed_kmh,
        plate_box=data.plate_box.model_dump() if data.plate_box else None,
        vehicle_make=data.vehicle_make or "",
        vehicle_color=data.vehicle_color or "",
        vehicle_type=data.vehicle_type or "",
    )
    return NewRead(read=read, plate_crop=plate_crop, overview=overview)


def _position(data: ReadIn, camera: Camera) -> tuple[float, float]:
    """The read's own position, else the fixed camera's; a mobile camera must send one."""
    if data.latitude is not None and data.longitude is not None:
        return data.latitude, data.longitude
    if (data.latitude is None) != (data.longitude is None):
        missing = "longitude" if data.longitude is None else "latitude"
        raise _ItemRejected(f"{missing}: is required when the other coordinate is given")
    if camera.latitude is not None and camera.longitude is not None:  # a fixed location
        return camera.latitude, camera.longitude
    raise _ItemRejected("latitude: is required for a camera without a fixed location")


def _image_bytes(
    field: str, encoded: str | None, part_name: str | None, files: Mapping[str, bytes]
) -> bytes | None:
    """Return the image of `field`, from base64 or a multipart part, checked but not stored."""
    if encoded is not None and part_name is not None:
        raise _ItemRejected(f"{field}: give the image inline or as a file part, not both")
    if encoded is not None:
        data = base64.b64decode(encoded)
    elif part_name is not None:
        if part_name not in files:
            raise _ItemRejected(f"{field}_file: no multipart part named {part_name!r}")
        data = files[part_name]
    else:
        return None
    try:
        check_image(data)
    except ImageRejected as error:
        raise _ItemRejected(f"{field}: {error}") from None
    return data


def lock_read(read_id: uuid.UUID) -> Read | None:
    """The read, its row locked until the caller's transaction ends (None when there is none),
    for an action that changes what is known about it (a correction)."""
    return Read.objects.select_for_update().filter(pk=read_id).first()

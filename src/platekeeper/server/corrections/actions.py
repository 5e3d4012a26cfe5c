"""Correcting a misread plate: audited, the original kept, and matching run on the correction.

A camera that reads 7 for 3 can send an officer after the wrong car (Green v. City and County of
San Francisco). The operator who sees the image records what the plate really says; the read
keeps the camera's text (it is evidence of what the system saw), the correction is kept beside
it, and the corrected plate is matched against the hotlists as if it had been read so.
"""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.plates import InvalidPlate, normalize_plate
from platekeeper.server.access.gate import (
    Justification,
    RecordNotFound,
    Requester,
    authorize,
    record_change,
    record_not_found,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.actions import RaisedAlert, raise_alerts
from platekeeper.server.alerts.queries import patrol_or
from platekeeper.server.corrections.models import ReadCorrection
from platekeeper.server.reads.actions import lock_read


class CorrectionError(PlatekeeperError, ValueError):
    """A correction was refused; the message names the field and says why."""


@dataclass(frozen=True)
class CorrectionResult:
    correction: ReadCorrection
    alerts: tuple[RaisedAlert, ...]


def correct_read(
    read_id: uuid.UUID | str,
    plate: str,
    *,
    requester: Requester,
    reason: str,
    justification: Justification | None = None,
) -> CorrectionResult:
    """Record that `read_id` really shows `plate`, and raise the alerts the corrected plate hits.

    Asks the gate first: correcting is alert work (operators and investigators), under the
    stated purpose or patrol's. Alerts already raised on the camera's reading stay as they are:
    an officer closes them (as misread) through the verification workflow, with a note.
    """
    stated = patrol_or(justification)
    authorize(
        requester,
        permission=Permission.ACT_ON_ALERTS,
        justification=stated,
        action="reads.correct",
        query={"read": str(read_id)},
    )
    try:
        return _correct(read_id, plate, requester, reason, stated)
    except RecordNotFound as missing:
        record_not_found(
            requester,
            stated,
            action="reads.correct",
            query={"read": str(read_id)},
            reason=str(missing),
        )
        raise


@transaction.atomic
def _correct(
    read_id: uuid.UUID | str,
    plate: str,
    requester: Requester,
    reason: str,
    justification: Justification,
) -> CorrectionResult:
    try:
        corrected = normalize_plate(plate)
    except InvalidPlate as error:
        raise CorrectionError(f"plate: {error}") from None
    if not reason.strip():
        raise CorrectionError("reason: say what the image shows that the camera got wrong")
    try:
        key = uuid.UUID(str(read_id))
    except ValueError:
        raise CorrectionError("read_id: is not a read id") from None
    read = lock_read(key)
    if read is None:
        raise RecordNotFound(f"read_id: no read {key}")
    current = (
        ReadCorrection.objects.filter(read=read)
        .order_by("-at", "-id")
        .values_list("corrected_plate", flat=True)
        .first()
    ) or read.plate_normalized
    if corrected == current:
        raise CorrectionError(f"plate: the read already says {corrected}")

    correction = ReadCorrection.objects.create(
        read=read,
        original_plate=read.plate_normalized,
        corrected_plate=corrected,
        reason=reason.strip(),
        user=requester.acting_user,
        at=timezone.now(),
    )
    # Match the corrected text exactly as ingest matches a read: an unsaved copy carries it, so
    # the stored read keeps what the camera saw and each alert still points at this read.
    as_corrected = copy.copy(read)
    as_corrected.plate_normalized = corrected
    alerts = raise_alerts([as_corrected])
    record_change(
        requester,
        justification,
        action="reads.correct",
        query={
            "read": str(read.pk),
            "from": current,
            "to": corrected,
            "alerts": [alert.id for alert in alerts],
        },
        record_ids=[str(read.pk)],
    )
    return CorrectionResult(correction=correction, alerts=tuple(alerts))

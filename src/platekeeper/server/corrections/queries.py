"""Corrections of one read, shown beside that read once the gate has disclosed it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from platekeeper.server.corrections.models import ReadCorrection


@dataclass(frozen=True)
class CorrectionSummary:
    original_plate: str
    corrected_plate: str
    reason: str
    user: str
    at: dt.datetime


def corrections_of(read_id: str) -> list[CorrectionSummary]:
    """Oldest first. Not gated on its own: call it only for a read a gated query returned."""
    return [
        CorrectionSummary(c.original_plate, c.corrected_plate, c.reason, c.user.username, c.at)
        for c in ReadCorrection.objects.filter(read_id=read_id).select_related("user")
    ]

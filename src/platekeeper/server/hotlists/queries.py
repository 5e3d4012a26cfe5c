"""Searching stored reads back for a newly entered hotlist plate (Policy 438.3(c))."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.gate import Justification, Requester
from platekeeper.server.hotlists.models import HotlistEntry
from platekeeper.server.reads.queries import MAX_PAGE, MAX_SCAN_DAYS, Page, search_plate

#: A retro-search is a criminal investigation whose case is the entry's own.
RETRO_PURPOSE = "criminal_investigation"


def search_back(requester: Requester, entry: HotlistEntry, *, days: int) -> Page:
    """Reads of the last `days` days that match the entry (look-alike tolerant, patterns too).

    A data access like any search: gated (the requester must be allowed to search reads) and
    audited with the entry's case number, or the entry itself when it has none.
    """
    days = max(1, min(days, MAX_SCAN_DAYS))
    now = timezone.now()
    case = entry.case_number or f"hotlist entry {entry.pk}"
    return search_plate(
        requester,
        Justification(purpose=RETRO_PURPOSE, case_number=case),
        plate=entry.plate_normalized,
        start=now - dt.timedelta(days=days),
        end=now,
        lookalike=True,
        limit=MAX_PAGE,
    )

"""Reading hotlists: searching stored reads back for a newly entered plate (Policy 438.3(c)),
and the entries a partner agency receives under a "hotlist entries" agreement (438.6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from platekeeper.server.access.gate import Gated, Justification, Requester, run_gated
from platekeeper.server.access.roles import Permission
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


@dataclass(frozen=True)
class SharedEntry:
    """What a partner needs to act on a hit: the plate, why it is wanted, and whose case."""

    plate: str
    state: str
    hotlist: str
    category: str
    priority: int
    reason: str
    vehicle_description: str
    case_number: str
    expires_at: dt.datetime | None


def shared_entries(requester: Requester, justification: Justification) -> list[SharedEntry]:
    """The live entries of active hotlists, for a partner whose agreement includes them.

    Gated and audited like any disclosure; a partner's call is also written to the sharing log.
    """
    now = timezone.now()

    def fetch() -> Gated[list[SharedEntry]]:
        live = HotlistEntry.objects.filter(hotlist__active=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )
        entries = [
            SharedEntry(
                plate=entry.plate_normalized,
                state=entry.state,
                hotlist=entry.hotlist.name,
                category=entry.hotlist.category,
                priority=entry.hotlist.priority,
                reason=entry.reason,
                vehicle_description=entry.vehicle_description,
                case_number=entry.case_number,
                expires_at=entry.expires_at,
            )
            for entry in live.select_related("hotlist").order_by(
                "hotlist__priority", "plate_normalized", "id"
            )
        ]
        return Gated(entries, record_ids=(), record_count=len(entries))

    return run_gated(
        requester,
        permission=Permission.RECEIVE_HOTLIST_ENTRIES,
        justification=justification,
        action="hotlists.shared_entries",
        query={},
        fetch=fetch,
    )

"""Reading hotlists: searching stored reads back for a newly entered plate (Policy 438.3(c)),
and the entries a partner agency receives under a "hotlist entries" agreement (438.6)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Gated,
    Justification,
    Requester,
    authorize,
    run_gated,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.queries import ALERT_PURPOSE
from platekeeper.server.hotlists.models import Hotlist, HotlistEntry, HotlistGeneration
from platekeeper.server.reads.queries import MAX_PAGE, MAX_SCAN_DAYS, Page, search_plate


def search_back(
    requester: Requester,
    entry: HotlistEntry,
    *,
    days: int,
    justification: Justification | None,
) -> Page:
    """Reads of the last `days` days that match the entry (look-alike tolerant, patterns too).

    A data access like any search: gated (the requester must be allowed to search reads) and
    audited under the purpose and case number the caller states; refused without them.
    """
    days = max(1, min(days, MAX_SCAN_DAYS))
    now = timezone.now()
    return search_plate(
        requester,
        justification or Justification(),
        plate=entry.plate_normalized,
        start=now - dt.timedelta(days=days),
        end=now,
        lookalike=True,
        limit=MAX_PAGE,
        search_back=True,
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


@dataclass(frozen=True)
class AgentCopy:
    """What an edge agent matches offline: active lists and their entries, at a generation."""

    generation: int
    hotlists: Sequence[Mapping[str, Any]]
    entries: list[list[Any]]


def hotlist_generation() -> int:
    """The current hotlist generation (a number only): the agent download's ETag."""
    value = HotlistGeneration.objects.filter(pk=1).values_list("value", flat=True).first()
    return value or 0


def agent_copy(requester: Requester) -> AgentCopy:
    """Every active hotlist entry, with only the fields matching needs, for a device token.

    A disclosure to a device like any other: gated (devices may receive hotlist entries) and
    audited as one event naming the generation and the count. The caller answers 304 without
    calling this when the agent already holds the current generation, so an unchanged poll
    writes nothing.
    """

    def fetch() -> Gated[AgentCopy]:
        lists = list(
            Hotlist.objects.filter(active=True)
            .order_by("id")
            .values("id", "name", "category", "priority", "fuzzy")
        )
        entries = [
            [entry_id, hotlist_id, plate, state, expires_at.isoformat() if expires_at else None]
            for entry_id, hotlist_id, plate, state, expires_at in HotlistEntry.objects.filter(
                hotlist__active=True
            )
            .order_by("id")
            .values_list("id", "hotlist_id", "plate_normalized", "state", "expires_at")
            .iterator(chunk_size=10_000)
        ]
        copy = AgentCopy(hotlist_generation(), lists, entries)
        return Gated(copy, record_ids=(), record_count=len(entries))

    return run_gated(
        requester,
        permission=Permission.RECEIVE_HOTLIST_ENTRIES,
        justification=Justification(purpose=ALERT_PURPOSE),
        action="hotlists.agent_copy",
        query={"generation": hotlist_generation()},
        fetch=fetch,
    )


def matching_entries() -> Iterator[tuple[int, str, str, bool]]:
    """(id, plate, state, fuzzy) of every entry on an active list, streamed, for the process's
    in-memory matcher (`alerts.matcher_cache`); nothing leaves the server."""
    rows = HotlistEntry.objects.filter(hotlist__active=True).values_list(
        "id", "plate_normalized", "state", "hotlist__fuzzy"
    )
    return rows.iterator(chunk_size=20_000)


def entries_by_id(ids: Collection[int]) -> dict[int, HotlistEntry]:
    """The entries the matcher named, with their hotlist, for raising alerts inside the ingest
    transaction (`alerts.actions.raise_alerts`)."""
    return HotlistEntry.objects.select_related("hotlist").in_bulk(ids)


def hotlists_overview(requester: Requester) -> list[Hotlist]:
    """Every hotlist with its size (`size`), most urgent first, for those who enter plates.

    Names and counts, no entry: asked of the gate (administrative), refusals audited."""
    authorize(
        requester,
        permission=Permission.ENTER_HOTLIST_ENTRIES,
        justification=ADMINISTRATIVE,
        action="hotlists.view",
        query={},
    )
    return list(Hotlist.objects.annotate(size=Count("entries")).order_by("priority", "name"))


@dataclass(frozen=True)
class HotlistPage:
    """One hotlist's page: its size and its newest entries."""

    hotlist: Hotlist
    size: int
    newest: list[HotlistEntry]


def hotlist_page(requester: Requester, hotlist: Hotlist, *, shown: int) -> HotlistPage:
    """A hotlist's size and its `shown` newest entries, for those who enter plates on it
    (asked of the gate, administrative; refusals audited as `hotlists.view`)."""
    authorize(
        requester,
        permission=Permission.ENTER_HOTLIST_ENTRIES,
        justification=ADMINISTRATIVE,
        action="hotlists.view",
        query={"hotlist": hotlist.pk},
    )
    entries = HotlistEntry.objects.filter(hotlist=hotlist)
    return HotlistPage(
        hotlist=hotlist,
        size=entries.count(),
        newest=list(entries.order_by("-entered_at", "-id")[:shown]),
    )

"""Every change to hotlists: creating lists, entering plates, importing files. All audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.hotlist_formats import InvalidRow, ParsedEntry, ParsedRow, RefusedRow
from platekeeper.plates import InvalidPlate, normalize_pattern
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Justification,
    Requester,
    authorize,
    record_change,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.approvals.breadth import Breadth, BreadthKind
from platekeeper.server.common.bulk import insert_rows
from platekeeper.server.hotlists.models import (
    Hotlist,
    HotlistCategory,
    HotlistEntry,
    HotlistGeneration,
    HotlistSource,
)
from platekeeper.server.hotlists.queries import search_back
from platekeeper.server.reads.queries import MAX_SCAN_DAYS, Page

INSERT_CHUNK = 5000
ENTRY_COLUMNS = (
    "hotlist",
    "plate",
    "plate_normalized",
    "state",
    "plate_type",
    "vehicle_description",
    "ncic_number",
    "reason",
    "case_number",
    "entered_by",
    "entered_at",
    "expires_at",
)
DELETE_CHUNK = 900
#: A partial plate needs this many known characters (`?` and `*` are unknown): fewer would
#: match a large share of all plates and bury the officers in alerts.
MIN_KNOWN_CHARACTERS = 4


class HotlistError(PlatekeeperError, ValueError):
    """A hotlist change was refused; the message says why."""


@dataclass
class ImportReport:
    """What an import did, with every unreadable line and why, and apart from them the entries
    the department may not act on (`refused`, e.g. NCIC immigration records, Gov. Code §7284.6)."""

    added: int = 0
    removed: int = 0
    unchanged: int = 0
    invalid: list[InvalidRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)

    def describe(self) -> str:
        text = (
            f"{self.added} added, {self.removed} removed, {self.unchanged} unchanged, "
            f"{len(self.invalid)} invalid"
        )
        for reason, count in Counter(row.reason for row in self.refused).items():
            text += f", {count} refused ({reason})"
        return text


def bump_generation() -> None:
    """Tell every process's matcher that the hotlists changed (inside the changing transaction).

    The new value is random rather than a count: after a rolled-back change a counter would
    repeat a value that once named different entries, and a process could keep a stale matcher.
    """
    HotlistGeneration.objects.update_or_create(pk=1, defaults={"value": secrets.randbits(62)})


def create_hotlist(
    name: str,
    *,
    requester: Requester,
    source: str = HotlistSource.MANUAL,
    category: str = HotlistCategory.OTHER,
    priority: int = 3,
    fuzzy: bool = False,
    freshness_hours: int = 24,
) -> Hotlist:
    """A new, empty list. Hotlists decide who gets stopped: the administrator's act."""
    name = name.strip()
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action="hotlist.create",
        query={"hotlist": name},
    )
    with transaction.atomic():
        return _create_hotlist(name, requester, source, category, priority, fuzzy, freshness_hours)


def _create_hotlist(
    name: str,
    requester: Requester,
    source: str,
    category: str,
    priority: int,
    fuzzy: bool,
    freshness_hours: int,
) -> Hotlist:
    if not name:
        raise HotlistError("name: must not be empty")
    if Hotlist.objects.filter(name=name).exists():
        raise HotlistError(f"name: a hotlist named {name!r} already exists")
    if source not in HotlistSource.values:
        raise HotlistError(f"source: must be one of {', '.join(HotlistSource.values)}")
    if category not in HotlistCategory.values:
        raise HotlistError(f"category: must be one of {', '.join(HotlistCategory.values)}")
    if not 1 <= priority <= 5:
        raise HotlistError("priority: must be between 1 (highest) and 5")
    hotlist = Hotlist.objects.create(
        name=name,
        source=source,
        category=category,
        priority=priority,
        fuzzy=fuzzy,
        freshness_hours=freshness_hours,
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="hotlist.create",
        query={"hotlist": name, "category": category},
    )
    return hotlist


@dataclass(frozen=True)
class EnteredPlate:
    """A plate entered by hand, and the stored reads its search-back found (None: not asked)."""

    entry: HotlistEntry
    search_back: Page | None = None


def partial_plate_problem(normalized: str) -> str | None:
    """Why a pattern is too vague to enter (fewer than 4 known characters), or None."""
    if not any(c in "?*" for c in normalized):
        return None
    known = sum(1 for c in normalized if c not in "?*")
    if known < MIN_KNOWN_CHARACTERS:
        return (
            f"plate: a partial plate needs at least {MIN_KNOWN_CHARACTERS} known characters "
            f"(? and * are unknown); {normalized} has {known}"
        )
    return None


def add_entry(
    hotlist: Hotlist,
    plate: str,
    *,
    requester: Requester,
    state: str = "",
    reason: str = "",
    description: str = "",
    case_number: str = "",
    expires_at: dt.datetime | None = None,
    search_back_days: int = 0,
    justification: Justification | None = None,
) -> EnteredPlate:
    """Enter one plate (or partial plate such as `7AB?12`) by hand, e.g. after a major crime.

    With `search_back_days` the stored reads of that window are searched for it at once: a data
    access like any search, under the caller's purpose and case number (`justification`),
    refused (audited) without them. Entry and search-back are one transaction: an entry whose
    search-back is refused is not added.
    """
    try:
        normalized = normalize_pattern(plate)
    except InvalidPlate as error:
        raise HotlistError(f"plate: {error}") from None
    query: dict[str, Any] = {"hotlist": hotlist.name, "plate": normalized}
    query.update(
        {key: text for key, text in (("reason", reason), ("description", description)) if text}
    )
    authorize(
        requester,
        permission=Permission.ENTER_HOTLIST_ENTRIES,
        justification=ADMINISTRATIVE,
        action="hotlist.entry_add",
        query=query,
    )
    problem = partial_plate_problem(normalized)
    if problem:
        raise HotlistError(problem)
    if search_back_days:
        # Asked before anything is written, so a refusal (audited) leaves no entry behind.
        authorize(
            requester,
            permission=Permission.SEARCH_READS,
            justification=justification or Justification(),
            action="reads.search",
            query={**query, "search_back_days": search_back_days},
            breadth=Breadth(BreadthKind.SEARCH_BACK, days=min(search_back_days, MAX_SCAN_DAYS)),
        )
    with transaction.atomic():
        entry = _store_entry(
            hotlist,
            plate,
            normalized,
            requester,
            state,
            reason,
            description,
            case_number,
            expires_at,
        )
        found = None
        if search_back_days:
            found = search_back(
                requester, entry, days=search_back_days, justification=justification
            )
    return EnteredPlate(entry, found)


def _store_entry(
    hotlist: Hotlist,
    plate: str,
    normalized: str,
    requester: Requester,
    state: str,
    reason: str,
    description: str,
    case_number: str,
    expires_at: dt.datetime | None,
) -> HotlistEntry:
    state = state.strip().upper()
    already = HotlistError(f"plate: {normalized} is already on {hotlist.name}")
    if HotlistEntry.objects.filter(
        hotlist=hotlist, plate_normalized=normalized, state=state
    ).exists():
        raise already
    try:
        # The same plate entered twice at once passes the check above twice; the unique
        # constraint decides, and the second hears the same answer instead of a 500.
        with transaction.atomic():
            entry = HotlistEntry.objects.create(
                hotlist=hotlist,
                plate=plate.strip(),
                plate_normalized=normalized,
                state=state,
                reason=reason,
                vehicle_description=description,
                case_number=case_number,
                entered_by=requester.username,
                entered_at=timezone.now(),
                expires_at=expires_at,
            )
    except IntegrityError:
        raise already from None
    bump_generation()
    record_change(
        requester,
        Justification(case_number=case_number, administrative=True),
        action="hotlist.entry_add",
        query={"hotlist": hotlist.name, "plate": normalized, "state": state},
    )
    return entry


def import_entries(
    hotlist: Hotlist,
    rows: Iterable[ParsedRow],
    *,
    requester: Requester,
    replace: bool = False,
    source_name: str = "",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import parsed rows in one transaction, so matching never sees half a list.

    With `replace`, entries absent from the file are removed (a state file is the whole list);
    without it, the file only adds. Rows already on the list are left unchanged; rows the
    department may not act on (`RefusedRow`) are counted, named in the audit event, and left
    out while the rest imports. The gate is
    asked first (the administrator's permission, account, training), before a row is read.
    """
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action="hotlist.import",
        query={"hotlist": hotlist.name, "file": source_name},
    )
    report = ImportReport()
    wanted: dict[tuple[str, str], ParsedEntry] = {}
    first_line: dict[tuple[str, str], int] = {}
    for count, row in enumerate(rows, start=1):
        if progress and count % 10_000 == 0:
            progress(10_000)
        if isinstance(row, InvalidRow):
            report.invalid.append(row)
            continue
        if isinstance(row, RefusedRow):
            report.refused.append(row)
            continue
        key = (row.plate_normalized, row.state)
        if key in wanted:
            report.invalid.append(InvalidRow(row.line, f"repeats line {first_line[key]}"))
            continue
        wanted[key] = row
        first_line[key] = row.line

    now = timezone.now()
    with transaction.atomic():
        existing = {
            (plate, state): pk
            for pk, plate, state in HotlistEntry.objects.filter(hotlist=hotlist).values_list(
                "id", "plate_normalized", "state"
            )
        }
        new = [
            (
                hotlist.pk,
                row.plate,
                row.plate_normalized,
                row.state,
                row.plate_type,
                row.description,
                row.ncic_number,
                row.reason,
                row.case_number,
                source_name or requester.username,
                row.entered_at or now,
                row.expires_at,
            )
            for key, row in wanted.items()
            if key not in existing
        ]
        for start in range(0, len(new), INSERT_CHUNK):
            report.added += insert_rows(
                HotlistEntry, ENTRY_COLUMNS, new[start : start + INSERT_CHUNK]
            )
            if progress:
                progress(min(INSERT_CHUNK, len(new) - start))
        report.unchanged = len(wanted) - len(new)
        if replace:
            gone = [pk for key, pk in existing.items() if key not in wanted]
            for start in range(0, len(gone), DELETE_CHUNK):
                HotlistEntry.objects.filter(pk__in=gone[start : start + DELETE_CHUNK]).delete()
            report.removed = len(gone)
        Hotlist.objects.filter(pk=hotlist.pk).update(refreshed_at=now)
        bump_generation()
        record_change(
            requester,
            ADMINISTRATIVE,
            action="hotlist.import",
            query={
                "hotlist": hotlist.name,
                "file": source_name,
                "replace": replace,
                "added": report.added,
                "removed": report.removed,
                "unchanged": report.unchanged,
                "invalid": len(report.invalid),
                "refused": len(report.refused),
                "refused_because": sorted({row.reason for row in report.refused}),
            },
        )
    return report

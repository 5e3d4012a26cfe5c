"""Investigative analyses of reads (Policy 438.3(b)-(c)), each through the access gate and audited.

- canvass: every read inside a circle or polygon in a time window (newest first, paged), or
  the same reads grouped by plate;
- multiple scenes ("stakeout", "locate"): plates seen in at least K of N place-and-time windows;
- convoy ("associate"): plates seen within N seconds of a target plate at K or more cameras;
- sightings: a plate's other reads around one read, for the read's page;
- export: any of the first three as CSV or GeoJSON, itself an audited access (EXPORT_READS).

Every place lookup walks the (geocell, captured_at) index over the few cells an area touches,
then tests each candidate exactly in Python; plate lookups walk (plate_normalized, captured_at)
and convoy lookups (camera, captured_at). None scans the table.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from platekeeper.plates import InvalidPlate, is_pattern, normalize_pattern
from platekeeper.server.access.gate import Gated, Justification, Requester, authorize, run_gated
from platekeeper.server.access.roles import Permission
from platekeeper.server.approvals.breadth import Breadth, BreadthKind
from platekeeper.server.common.types import moment_problem
from platekeeper.server.hotlists.membership import plates_on_active_hotlists
from platekeeper.server.investigations import exports
from platekeeper.server.investigations.areas import Area, box_filter
from platekeeper.server.reads.models import Read
from platekeeper.server.reads.queries import (
    MAX_PAGE,
    WITH_IMAGES,
    Page,
    QueryError,
    ReadSummary,
    VehicleFilter,
    decode_cursor,
    encode_cursor,
    keys_filter,
    read_by_id,
    read_summaries,
    thumbnails,
)

#: Widest time window of one canvass, scene or convoy search.
MAX_WINDOW_DAYS = 31
#: Most reads one analysis may gather before it asks for a narrower area or window. It bounds
#: both the work per request and what one audited access can disclose.
MAX_AREA_READS = 50_000
MAX_SCENES = 10
MAX_CONVOY_SECONDS = 600
MAX_TARGET_READS = 2_000
MAX_SIGHTING_HOURS = 24 * 31
#: Target reads per convoy query: each is one (camera, time) index range in an OR.
_CONVOY_BATCH = 50
_CHUNK = 2_000
#: Cells per UNION ALL statement (SQLite allows 500 compound members).
_CELLS_PER_QUERY = 100
_WITH_CAMERA = ("camera",)


# --- what an investigator asks -------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """A place and a time window: one canvass, or one scene of a multiple-scenes search."""

    area: Area
    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        _check_window(self.start, self.end)

    def describe(self) -> dict[str, Any]:
        return {
            **self.area.describe(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


@dataclass(frozen=True)
class Scenes:
    """Several place-and-time windows, and how many of them a plate must appear in."""

    windows: tuple[Window, ...]
    min_scenes: int

    def __post_init__(self) -> None:
        if not 2 <= len(self.windows) <= MAX_SCENES:
            raise QueryError(f"scene: give between 2 and {MAX_SCENES} scenes")
        if not 1 <= self.min_scenes <= len(self.windows):
            raise QueryError(f"min_scenes: must be between 1 and {len(self.windows)}")

    def describe(self) -> dict[str, Any]:
        return {"scenes": [w.describe() for w in self.windows], "min_scenes": self.min_scenes}


@dataclass(frozen=True)
class ConvoySearch:
    """A target plate, a window, and what counts as travelling with it."""

    plate: str
    start: dt.datetime
    end: dt.datetime
    within_s: int = 60
    min_cameras: int = 2

    def __post_init__(self) -> None:
        try:
            normalized = normalize_pattern(self.plate)
        except InvalidPlate as error:
            raise QueryError(f"plate: {error}") from None
        if is_pattern(normalized):
            raise QueryError("plate: a convoy search needs the whole target plate")
        object.__setattr__(self, "plate", normalized)
        _check_window(self.start, self.end)
        if not 1 <= self.within_s <= MAX_CONVOY_SECONDS:
            raise QueryError(f"within_s: must be between 1 and {MAX_CONVOY_SECONDS}")
        if not 1 <= self.min_cameras <= 50:
            raise QueryError("min_cameras: must be between 1 and 50")

    def describe(self) -> dict[str, Any]:
        return {
            "plate": self.plate,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "within_s": self.within_s,
            "min_cameras": self.min_cameras,
        }


Analysis = Window | Scenes | ConvoySearch


# --- what comes back -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlateGroup:
    """One plate's reads in a canvass: how often, when first and last, at how many cameras."""

    plate: str
    state: str
    reads: int
    cameras: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    read_ids: tuple[str, ...]
    #: The vehicle most of its reads describe ("" where no camera said).
    vehicle_make: str
    vehicle_color: str
    vehicle_type: str
    #: Whether the plate stands on an active hotlist now.
    on_hotlist: bool


@dataclass(frozen=True)
class Grouped:
    groups: list[PlateGroup]
    total_reads: int


class _SeenInReads:
    """When a plate was first and last seen, from its `reads` (oldest first)."""

    reads: list[ReadSummary]

    @property
    def first_seen(self) -> dt.datetime:
        return self.reads[0].captured_at

    @property
    def last_seen(self) -> dt.datetime:
        return self.reads[-1].captured_at


@dataclass(frozen=True)
class SceneHit(_SeenInReads):
    """A plate seen in at least K scenes; `scenes` are 1-based scene numbers."""

    plate: str
    scenes: tuple[int, ...]
    reads: list[ReadSummary]


@dataclass(frozen=True)
class Companion(_SeenInReads):
    """A plate that travelled with the target: `cameras` distinct cameras, `meetings` of the
    target's reads it was near, and its reads at those meetings."""

    plate: str
    cameras: int
    meetings: int
    reads: list[ReadSummary]


@dataclass(frozen=True)
class Convoy:
    plate: str
    target_reads: list[ReadSummary]
    companions: list[Companion] = field(default_factory=list)


@dataclass(frozen=True)
class Sightings:
    """A read and the same plate's reads within `hours` either side of it, oldest first."""

    read: ReadSummary
    start: dt.datetime
    end: dt.datetime
    reads: list[ReadSummary]
    truncated: bool


# --- canvass ------------------------------------------------------------------------------


def canvass(
    requester: Requester,
    justification: Justification | None,
    window: Window,
    *,
    cursor: str | None = None,
    limit: int = 50,
    vehicle: VehicleFilter | None = None,
    with_images: bool = False,
) -> Page:
    """Reads inside the area during the window, newest first, a page at a time; with a
    vehicle description, only the reads of vehicles that match it. `with_images` adds each
    read's thumbnail, disclosed (and audited) with the page."""
    if not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit: must be between 1 and {MAX_PAGE}")
    vehicle = vehicle or VehicleFilter()
    after = decode_cursor(cursor) if cursor else None

    def fetch() -> Gated[Page]:
        older = vehicle.q()
        if after:
            captured, read_id = after
            older &= Q(captured_at__lt=captured) | Q(captured_at=captured, id__lt=read_id)
        inside = sorted(
            (
                (captured_at, read_id)
                for read_id, captured_at, latitude, longitude in _candidates(
                    window, ("id", "captured_at", "latitude", "longitude"), older
                )
                if window.area.contains(latitude, longitude)
            ),
            reverse=True,
        )
        wanted = inside[: limit + 1]
        reads = (
            list(
                Read.objects.filter(keys_filter((read_id, at) for at, read_id in wanted))
                .select_related(*(WITH_IMAGES if with_images else _WITH_CAMERA))
                .order_by("-captured_at", "-id")
            )
            if wanted
            else []
        )
        page = reads[:limit]
        next_cursor = encode_cursor(page[-1]) if len(reads) > limit else None
        images, hashes = thumbnails(page) if with_images else ({}, [])
        return Gated(
            Page(read_summaries(page), next_cursor, images),
            record_ids=[str(r.id) for r in page] + hashes,
        )

    return run_gated(
        requester,
        permission=Permission.CANVASS_READS,
        justification=justification,
        action="reads.canvass",
        query={**window.describe(), **vehicle.describe(), "cursor": bool(cursor)},
        fetch=fetch,
        breadth=Breadth.canvass(window.area, window.start, window.end),
    )


def canvass_by_plate(
    requester: Requester,
    justification: Justification | None,
    window: Window,
    *,
    vehicle: VehicleFilter | None = None,
) -> Grouped:
    """The canvass grouped by plate: most reads first, then the most recently seen."""
    vehicle = vehicle or VehicleFilter()

    def fetch() -> Gated[Grouped]:
        rows = _area_rows(window, vehicle)
        by_plate: dict[str, list[_Row]] = defaultdict(list)
        for row in rows:
            by_plate[row.plate].append(row)
        listed = plates_on_active_hotlists(by_plate)
        groups = [
            PlateGroup(
                plate=plate,
                state=Counter(r.state for r in reads).most_common(1)[0][0],
                reads=len(reads),
                cameras=len({r.camera_id for r in reads}),
                first_seen=min(r.captured_at for r in reads),
                last_seen=max(r.captured_at for r in reads),
                read_ids=tuple(str(r.id) for r in reads),
                vehicle_make=_most_said(r.vehicle_make for r in reads),
                vehicle_color=_most_said(r.vehicle_color for r in reads),
                vehicle_type=_most_said(r.vehicle_type for r in reads),
                on_hotlist=plate in listed,
            )
            for plate, reads in by_plate.items()
        ]
        groups.sort(key=lambda g: (-g.reads, -g.last_seen.timestamp(), g.plate))
        return Gated(Grouped(groups, len(rows)), record_ids=[str(r.id) for r in rows])

    return run_gated(
        requester,
        permission=Permission.CANVASS_READS,
        justification=justification,
        action="reads.canvass",
        query={**window.describe(), **vehicle.describe(), "group": "plate"},
        fetch=fetch,
        breadth=Breadth.canvass(window.area, window.start, window.end),
    )


def _check_window(start: dt.datetime | None, end: dt.datetime | None) -> None:
    if start is None or end is None:
        raise QueryError("start: a window needs both start and end")
    for name, moment in (("start", start), ("end", end)):
        problem = moment_problem(moment)
        if problem:
            raise QueryError(f"{name}: {problem}")
    if start > end:
        raise QueryError("start: must not be after end")
    if end - start > dt.timedelta(days=MAX_WINDOW_DAYS):
        raise QueryError(f"end: a window spans at most {MAX_WINDOW_DAYS} days")


def _candidates(
    window: Window, fields: tuple[str, ...], extra: Q | None = None
) -> Iterator[tuple[Any, ...]]:
    """`fields` of the reads in the cells the area touches, inside its bounding box, during
    the window; at most MAX_AREA_READS of them, or a QueryError asking to narrow the search.

    One `geocell = c AND captured_at BETWEEN ...` branch per cell, joined by UNION ALL: each
    branch is a single range of the (geocell, captured_at) index on both databases, whatever
    the planner would make of `geocell IN (...)` on a table laid out in time order.
    """
    common = Q(captured_at__gte=window.start, captured_at__lte=window.end) & box_filter(
        window.area.bounds()
    )
    if extra is not None:
        common &= extra
    cells = window.area.cells()
    seen = 0
    for first in range(0, len(cells), _CELLS_PER_QUERY):
        branches = [
            Read.objects.filter(common, geocell=cell).values_list(*fields)
            for cell in cells[first : first + _CELLS_PER_QUERY]
        ]
        query = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
        for row in query.iterator(_CHUNK):
            seen += 1
            if seen > MAX_AREA_READS:
                raise QueryError(
                    f"end: more than {MAX_AREA_READS:,} reads in and around that area and "
                    "window; narrow the time window or the area"
                )
            yield row


@dataclass(frozen=True)
class _Row:
    id: uuid.UUID
    plate: str
    state: str
    captured_at: dt.datetime
    camera_id: int
    vehicle_make: str
    vehicle_color: str
    vehicle_type: str


def _most_said(values: Iterable[str]) -> str:
    """The value most reads give, ignoring the empty ones ("" when none gives one)."""
    said = Counter(value for value in values if value)
    return said.most_common(1)[0][0] if said else ""


def _area_rows(window: Window, vehicle: VehicleFilter | None = None) -> list[_Row]:
    """Every read inside the area during the window (exactly), oldest first; only those of
    the `vehicle` description when one is given."""
    fields = (
        "id",
        "plate_normalized",
        "state",
        "captured_at",
        "camera_id",
        "vehicle_make",
        "vehicle_color",
        "vehicle_type",
        "latitude",
        "longitude",
    )
    found = [
        _Row(*row[:-2])
        for row in _candidates(window, fields, vehicle.q() if vehicle else None)
        if window.area.contains(row[-2], row[-1])
    ]
    found.sort(key=lambda row: (row.captured_at, row.id))
    return found


def _summaries(keys: Iterable[tuple[uuid.UUID, dt.datetime]]) -> list[ReadSummary]:
    """The reads with these (id, captured_at) keys as result rows, oldest first.

    Each batch is fetched by its keys (`keys_filter`), so PostgreSQL opens only the day
    partitions the batch lies in rather than planning and probing every day of the year.
    """
    ordered = sorted(set(keys), key=lambda key: (key[1], key[0]))
    found: list[ReadSummary] = []
    for start in range(0, len(ordered), _CHUNK):
        batch = ordered[start : start + _CHUNK]
        reads = Read.objects.filter(keys_filter(batch))
        found.extend(read_summaries(list(reads.select_related("camera"))))
    found.sort(key=lambda r: (r.captured_at, r.id))
    return found


# --- multiple scenes -----------------------------------------------------------------------


def multiple_scenes(
    requester: Requester, justification: Justification | None, scenes: Scenes
) -> list[SceneHit]:
    """Plates seen in at least `min_scenes` of the windows, the most scenes first."""

    def fetch() -> Gated[list[SceneHit]]:
        hits = _scene_hits(scenes)
        return Gated(hits, record_ids=_unique(r.id for hit in hits for r in hit.reads))

    return run_gated(
        requester,
        permission=Permission.CANVASS_READS,
        justification=justification,
        action="reads.scenes",
        query=scenes.describe(),
        fetch=fetch,
    )


def _scene_hits(scenes: Scenes) -> list[SceneHit]:
    seen_in: dict[str, set[int]] = defaultdict(set)
    read_keys: dict[str, set[tuple[uuid.UUID, dt.datetime]]] = defaultdict(set)
    for number, window in enumerate(scenes.windows, start=1):
        for row in _area_rows(window):
            seen_in[row.plate].add(number)
            read_keys[row.plate].add((row.id, row.captured_at))
    wanted = [plate for plate, numbers in seen_in.items() if len(numbers) >= scenes.min_scenes]
    reads = _summaries(key for plate in wanted for key in read_keys[plate])
    by_plate: dict[str, list[ReadSummary]] = defaultdict(list)
    for read in reads:
        by_plate[read.plate].append(read)
    hits = [SceneHit(plate, tuple(sorted(seen_in[plate])), by_plate[plate]) for plate in wanted]
    hits.sort(key=lambda h: (-len(h.scenes), -len(h.reads), h.plate))
    return hits


# --- convoy --------------------------------------------------------------------------------


def convoy(
    requester: Requester, justification: Justification | None, search: ConvoySearch
) -> Convoy:
    """Plates seen within `within_s` seconds of the target at `min_cameras` or more cameras."""

    def fetch() -> Gated[Convoy]:
        result = _convoy(search)
        disclosed = [r.id for r in result.target_reads]
        disclosed += [r.id for c in result.companions for r in c.reads]
        return Gated(result, record_ids=_unique(disclosed))

    return run_gated(
        requester,
        permission=Permission.CANVASS_READS,
        justification=justification,
        action="reads.convoy",
        query=search.describe(),
        fetch=fetch,
    )


def _convoy(search: ConvoySearch) -> Convoy:
    targets = list(
        Read.objects.filter(
            plate_normalized=search.plate,
            captured_at__gte=search.start,
            captured_at__lte=search.end,
        )
        .order_by("captured_at")
        .values_list("id", "camera_id", "captured_at")[: MAX_TARGET_READS + 1]
    )
    if len(targets) > MAX_TARGET_READS:
        raise QueryError(
            f"end: {search.plate} has more than {MAX_TARGET_READS:,} reads in that window; "
            "narrow it"
        )
    gap = dt.timedelta(seconds=search.within_s)
    cameras: dict[str, set[int]] = defaultdict(set)
    meetings: dict[str, set[uuid.UUID]] = defaultdict(set)
    near_reads: dict[str, set[tuple[uuid.UUID, dt.datetime]]] = defaultdict(set)
    for first in range(0, len(targets), _CONVOY_BATCH):
        batch = targets[first : first + _CONVOY_BATCH]
        near = reduce(
            or_,
            (
                Q(camera_id=camera, captured_at__gte=moment - gap, captured_at__lte=moment + gap)
                for _, camera, moment in batch
            ),
        )
        rows = (
            Read.objects.filter(near)
            .exclude(plate_normalized=search.plate)
            .values_list("id", "plate_normalized", "camera_id", "captured_at")
        )
        for read_id, plate, camera, moment in rows:
            for target_id, target_camera, target_moment in batch:
                if camera == target_camera and abs(moment - target_moment) <= gap:
                    cameras[plate].add(camera)
                    meetings[plate].add(target_id)
                    near_reads[plate].add((read_id, moment))
    wanted = [plate for plate, seen in cameras.items() if len(seen) >= search.min_cameras]
    reads = _summaries(
        [(t[0], t[2]) for t in targets] + [key for p in wanted for key in near_reads[p]]
    )
    by_plate: dict[str, list[ReadSummary]] = defaultdict(list)
    for read in reads:
        by_plate[read.plate].append(read)
    companions = [
        Companion(plate, len(cameras[plate]), len(meetings[plate]), by_plate[plate])
        for plate in wanted
    ]
    companions.sort(key=lambda c: (-c.cameras, -c.meetings, c.plate))
    return Convoy(search.plate, by_plate.get(search.plate, []), companions)


# --- sightings around one read -------------------------------------------------------------


def sightings(
    requester: Requester,
    justification: Justification | None,
    read_id: str,
    *,
    hours: int = 24,
    limit: int = MAX_PAGE,
) -> Sightings:
    """The read's plate in the `hours` before and after it (the read itself included)."""
    try:
        key = uuid.UUID(str(read_id))
    except ValueError:
        raise QueryError("read_id: is not a read id") from None
    if not 1 <= hours <= MAX_SIGHTING_HOURS:
        raise QueryError(f"hours: must be between 1 and {MAX_SIGHTING_HOURS}")
    if not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit: must be between 1 and {MAX_PAGE}")

    def fetch() -> Gated[Sightings]:
        read = read_by_id(key).select_related("camera").first()
        if read is None:
            raise QueryError(f"read_id: no read {key}")
        span = dt.timedelta(hours=hours)
        start, end = read.captured_at - span, read.captured_at + span
        others = list(
            Read.objects.filter(
                plate_normalized=read.plate_normalized,
                captured_at__gte=start,
                captured_at__lte=end,
            )
            .select_related("camera")
            .order_by("captured_at", "id")[: limit + 1]
        )
        first, *shown = read_summaries([read, *others[:limit]])
        result = Sightings(
            first,
            start,
            end,
            shown,
            len(others) > limit,
        )
        return Gated(result, record_ids=_unique(r.id for r in result.reads))

    return run_gated(
        requester,
        permission=Permission.SEARCH_READS,
        justification=justification,
        action="reads.sightings",
        query={"read_id": str(key), "hours": hours},
        fetch=fetch,
    )


# --- export ---------------------------------------------------------------------------------


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"


def export(
    requester: Requester,
    justification: Justification | None,
    analysis: Analysis,
    fmt: ExportFormat | str,
    *,
    vehicle: VehicleFilter | None = None,
) -> exports.Document:
    """The whole result of a canvass, scenes or convoy search as a file to download; a canvass
    narrowed to a `vehicle` description exports only those reads, as the canvass lists them.

    Needs both the analysis's own permission and EXPORT_READS; either refusal is audited, and
    an allowed export writes one event (`reads.export`) naming the analysis and the format.
    """
    try:
        fmt = ExportFormat(fmt)
    except ValueError:
        raise QueryError("format: must be csv or geojson") from None
    vehicle = vehicle or VehicleFilter()
    if vehicle and not isinstance(analysis, Window):
        raise QueryError("make: only a canvass is narrowed by a vehicle description")
    kind = _KINDS[type(analysis)]
    query = {"analysis": kind, "format": fmt.value, **analysis.describe(), **vehicle.describe()}
    authorize(
        requester,
        permission=Permission.CANVASS_READS,
        justification=justification,
        action="reads.export",
        query=query,
    )

    def fetch() -> Gated[exports.Document]:
        rows = _export_rows(analysis, vehicle)
        document = exports.build(rows, fmt.value, title=f"platekeeper-{kind}")
        return Gated(document, record_ids=_unique(row.read.id for row in rows))

    return run_gated(
        requester,
        permission=Permission.EXPORT_READS,
        justification=justification,
        action="reads.export",
        query=query,
        fetch=fetch,
        breadth=Breadth(BreadthKind.EXPORT),
    )


_KINDS: dict[type, str] = {Window: "canvass", Scenes: "scenes", ConvoySearch: "convoy"}


def _export_rows(analysis: Analysis, vehicle: VehicleFilter) -> list[exports.Row]:
    if isinstance(analysis, Window):
        found = _area_rows(analysis, vehicle)
        return [exports.Row(r, "") for r in _summaries((row.id, row.captured_at) for row in found)]
    if isinstance(analysis, Scenes):
        return [
            exports.Row(read, "scenes " + " ".join(str(n) for n in hit.scenes))
            for hit in _scene_hits(analysis)
            for read in hit.reads
        ]
    result = _convoy(analysis)
    rows = [exports.Row(r, "target") for r in result.target_reads]
    for companion in result.companions:
        note = f"companion at {companion.cameras} cameras"
        rows.extend(exports.Row(r, note) for r in companion.reads)
    return rows


def _unique(ids: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(i) for i in ids))

"""Every read of ALPR data from the reads tables, each through the access gate and audited."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections
from django.db.models import Max, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.matching import plate_predicate
from platekeeper.plates import InvalidPlate, is_pattern, normalize_pattern
from platekeeper.server.access.gate import (
    Gated,
    Justification,
    RecordNotFound,
    Requester,
    run_gated,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.approvals.breadth import Breadth, BreadthKind
from platekeeper.server.cameras.models import Camera
from platekeeper.server.common.types import moment_problem
from platekeeper.server.hotlists.membership import plates_on_active_hotlists
from platekeeper.server.reads.images import data_uri, image_bytes
from platekeeper.server.reads.models import Image, Read, ReadKey
from platekeeper.server.reads.plate_index import narrow_scan, scanned_plates

MAX_PAGE = 200
#: The exact-plate search over all history on PostgreSQL: `reads.partitions.EXACT_PLATE`, the
#: function `reads/0005` creates, called with its arguments in order.
_EXACT_PLATE_CALL = "SELECT * FROM reads_exact_plate(%s, %s, %s, %s, %s, %s)"
#: Widest window a partial or look-alike search may scan (it cannot use the plate index).
MAX_SCAN_DAYS = 31
#: Widest window of a search by vehicle description alone (no plate): a broad query.
MAX_BROAD_DAYS = 7
#: Longest make, colour or type filter (the Read fields are 40 characters).
MAX_VEHICLE_TERM = 40


class QueryError(PlatekeeperError, ValueError):
    """A query parameter is unusable; the message names it."""


@dataclass(frozen=True)
class ReadSummary:
    """One read as a result row: what an officer needs to recognise it."""

    id: str
    plate: str
    state: str
    confidence: float | None
    captured_at: dt.datetime
    latitude: float
    longitude: float
    camera: str
    plate_crop_sha256: str | None
    vehicle_make: str
    vehicle_color: str
    vehicle_type: str
    #: Whether the plate stands on an active hotlist now (not when it was read).
    on_hotlist: bool


@dataclass(frozen=True)
class ReadDetail(ReadSummary):
    """Everything stored about a read: its summary and the rest."""

    candidates: list[dict]
    heading: float | None
    speed_kmh: float | None
    plate_box: dict | None
    overview_sha256: str | None
    received_at: dt.datetime
    source: str


@dataclass(frozen=True)
class Page:
    results: list[ReadSummary]
    next_cursor: str | None
    #: A thumbnail per read id (`data:` URI of the overview, else the plate crop), when asked
    #: for: shown inline, so the list's one audit event (naming their hashes) covers them.
    images: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VehicleFilter:
    """A vehicle description to search by: each given term must equal the read's field,
    ignoring case. Empty terms do not filter."""

    make: str = ""
    color: str = ""
    type: str = ""

    def __post_init__(self) -> None:
        for name in ("make", "color", "type"):
            term = " ".join(str(getattr(self, name) or "").split())
            if len(term) > MAX_VEHICLE_TERM:
                raise QueryError(f"{name}: at most {MAX_VEHICLE_TERM} characters")
            object.__setattr__(self, name, term)

    def __bool__(self) -> bool:
        return bool(self.make or self.color or self.type)

    def q(self) -> Q:
        """The filter as a condition on reads (no condition when empty)."""
        terms = {
            "vehicle_make__iexact": self.make,
            "vehicle_color__iexact": self.color,
            "vehicle_type__iexact": self.type,
        }
        return Q(**{field: term for field, term in terms.items() if term})

    def describe(self) -> dict[str, Any]:
        """The given terms, for the audit event's query."""
        return {name: term for name, term in vars(self).items() if term}


def read_summary(read: Read, *, on_hotlist: bool) -> ReadSummary:
    """The result row of a read, as every search and canvass shows it."""
    return ReadSummary(
        id=str(read.id),
        plate=read.plate_normalized,
        state=read.state,
        confidence=read.confidence,
        captured_at=read.captured_at,
        latitude=read.latitude,
        longitude=read.longitude,
        camera=read.camera.name,
        plate_crop_sha256=read.plate_crop_id,
        vehicle_make=read.vehicle_make,
        vehicle_color=read.vehicle_color,
        vehicle_type=read.vehicle_type,
        on_hotlist=on_hotlist,
    )


def thumbnails(reads: Sequence[Read]) -> tuple[dict[str, str], list[str]]:
    """A `data:` URI per read (its overview image, else its plate crop), and their hashes.

    The reads must come with `plate_crop` and `overview` selected (`WITH_IMAGES`).
    """
    images: dict[str, str] = {}
    hashes: list[str] = []
    for read in reads:
        image = read.overview or read.plate_crop
        if image is None:
            continue
        images[str(read.id)] = data_uri(image)
        hashes.append(image.sha256)
    return images, hashes


#: What `select_related` needs for result rows with `thumbnails`.
WITH_IMAGES = ("camera", "plate_crop", "overview")


def read_summaries(reads: Sequence[Read]) -> list[ReadSummary]:
    """Result rows of `reads`, in their order, with one hotlist lookup for all of them."""
    listed = plates_on_active_hotlists({read.plate_normalized for read in reads})
    return [read_summary(read, on_hotlist=read.plate_normalized in listed) for read in reads]


def encode_cursor(read: Read) -> str:
    """The keyset cursor after `read` in newest-first order (time, then id)."""
    return base64.urlsafe_b64encode(f"{read.captured_at.isoformat()}|{read.id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    """Read back a cursor from `encode_cursor`; anything else is a QueryError naming it."""
    try:
        captured, read_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(captured), uuid.UUID(read_id)
    except (ValueError, UnicodeDecodeError):
        raise QueryError("cursor: is not a cursor this server gave out") from None


def search_plate(
    requester: Requester,
    justification: Justification | None,
    *,
    plate: str = "",
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
    lookalike: bool = False,
    vehicle: VehicleFilter | None = None,
    search_back: bool = False,
) -> Page:
    """Reads of a plate, newest first, a page at a time, optionally of one vehicle description.

    An exact plate walks the (plate, time) index. A partial plate (`7AB?12`, `*X9*`) or a
    look-alike search scans reads in a time window of at most MAX_SCAN_DAYS, so both `start`
    and `end` are required then; this is also how a new hotlist entry is searched back.
    A vehicle description without any plate is a broad query (every car of a colour in town):
    it needs a case number and a window of at most MAX_BROAD_DAYS.
    Beyond the department's thresholds (`approvals`), a search without a plate, a partial
    plate or a `search_back` (a new hotlist entry's) is held for a supervisor's approval.
    """
    vehicle = vehicle or VehicleFilter()
    normalized = ""
    if plate.strip():
        try:
            normalized = normalize_pattern(plate)
        except InvalidPlate as error:
            raise QueryError(f"plate: {error}") from None
    elif not vehicle:
        raise QueryError("plate: give a plate, or a vehicle make, color or type")
    if not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit: must be between 1 and {MAX_PAGE}")
    for name, moment in (("start", start), ("end", end)):
        problem = moment_problem(moment) if moment else None
        if problem:
            raise QueryError(f"{name}: {problem}")
    if start and end and start > end:
        raise QueryError("start: must not be after end")
    broad = not normalized
    if broad:
        _check_broad(justification, start, end)
    scan = not broad and (lookalike or is_pattern(normalized))
    if scan:
        if not (start and end):
            raise QueryError("start: a partial or look-alike search needs start and end")
        if end - start > dt.timedelta(days=MAX_SCAN_DAYS):
            raise QueryError(
                f"end: a partial or look-alike search spans at most {MAX_SCAN_DAYS} days"
            )
    after = decode_cursor(cursor) if cursor else None

    def fetch() -> Gated[Page]:
        reads = Read.objects.all()
        if start:
            reads = reads.filter(captured_at__gte=start)
        if end:
            reads = reads.filter(captured_at__lte=end)
        if after:
            captured, read_id = after
            reads = reads.filter(
                Q(captured_at__lt=captured) | Q(captured_at=captured, id__lt=read_id)
            )
        reads = reads.filter(vehicle.q()).order_by("-captured_at", "-id")
        if scan:
            wanted = plate_predicate(normalized, lookalike=lookalike)
            found = []
            narrowed = narrow_scan(reads, normalized, lookalike=lookalike)
            for read_id, captured_at, candidate in scanned_plates(narrowed):
                if wanted(candidate):
                    found.append((read_id, captured_at))
                    if len(found) > limit:
                        break
            reads = reads.filter(keys_filter(found))
        elif not broad:
            reads = reads.filter(plate_normalized=normalized)
        if not (broad or scan or vehicle) and connections[reads.db].vendor == "postgresql":
            rows = _newest_of_plate(normalized, start, end, after, limit + 1)
        else:
            rows = list(reads.select_related("camera")[: limit + 1])
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1]) if len(rows) > limit else None
        return Gated(Page(read_summaries(page), next_cursor), record_ids=[str(r.id) for r in page])

    query = {
        "plate": normalized,
        "lookalike": lookalike,
        **vehicle.describe(),
        "start": _iso(start),
        "end": _iso(end),
        "cursor": bool(cursor),
    }
    return run_gated(
        requester,
        permission=Permission.SEARCH_READS,
        justification=justification,
        action="reads.search",
        query=query,
        fetch=fetch,
        breadth=_breadth(normalized, start, end, search_back=search_back),
    )


def _newest_of_plate(
    plate: str,
    start: dt.datetime | None,
    end: dt.datetime | None,
    after: tuple[dt.datetime, uuid.UUID] | None,
    count: int,
) -> list[Read]:
    """PostgreSQL: the exact-plate page through `reads_exact_plate`, planned once per
    connection instead of over every day partition on each search (`reads.partitions`)."""
    after_at, after_id = after or (None, None)
    rows = list(Read.objects.raw(_EXACT_PLATE_CALL, [plate, start, end, after_at, after_id, count]))
    prefetch_related_objects(rows, "camera")
    return rows


def _breadth(
    normalized: str, start: dt.datetime | None, end: dt.datetime | None, *, search_back: bool
) -> Breadth | None:
    """How broad a search is, for the approvals thresholds: None for a plain plate search."""
    if not normalized:
        return Breadth(BreadthKind.VEHICLE)
    if start is None or end is None:
        return None
    return Breadth.plate_scan(normalized, start, end, search_back=search_back)


def _check_broad(
    justification: Justification | None, start: dt.datetime | None, end: dt.datetime | None
) -> None:
    """The limits of a search by vehicle description alone; the message names which."""
    if not (start and end):
        raise QueryError("start: a search without a plate needs start and end")
    if end - start > dt.timedelta(days=MAX_BROAD_DAYS):
        raise QueryError(f"end: a search without a plate spans at most {MAX_BROAD_DAYS} days")
    if not (justification and justification.case_number.strip()):
        raise QueryError("case_number: a search without a plate needs a case number")


@dataclass(frozen=True)
class ReadPage:
    """A read as its web page shows it: the detail and its images inline (`data:` URIs by
    SHA-256), so the page is one access and one audit event naming the read and the images."""

    detail: ReadDetail
    images: dict[str, str]


def _read_id(read_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(read_id))
    except ValueError:
        raise QueryError("read_id: is not a read id") from None


def _detail(read: Read) -> ReadDetail:
    return ReadDetail(
        **vars(read_summaries([read])[0]),
        candidates=read.candidates,
        heading=read.heading,
        speed_kmh=read.speed_kmh,
        plate_box=read.plate_box,
        overview_sha256=read.overview_id,
        received_at=read.received_at,
        source=read.source,
    )


def keys_filter(keys: Iterable[tuple[uuid.UUID, dt.datetime]]) -> Q:
    """The reads with these (id, captured_at) keys, as a filter that PostgreSQL runs in their
    day partitions only, finding each read on the time index.

    By ids alone, or ids within a time span, PostgreSQL plans and probes every day partition in
    reach (a 31-day search page of a 10M-read year: 160-470 ms; an UPDATE of 1,000 reads by id
    alone: 5-8 s); with each read's exact time it opens only the days the keys lie in (under
    1 ms for a page). SQLite's single table gets the same answer either way.
    """
    ids, times = [], []
    for read_id, captured_at in keys:
        ids.append(read_id)
        times.append(captured_at)
    return Q(id__in=ids, captured_at__in=times)


def read_by_id(key: uuid.UUID) -> QuerySet[Read]:
    """The read with this id, as a query that PostgreSQL runs in the read's day partition only.

    An id alone says nothing of the day, so PostgreSQL would plan and probe every day partition
    (tens of milliseconds over a year); the key table knows each read's `captured_at`, and the
    lookup carries it. SQLite's single table needs no such help.
    """
    reads = Read.objects.filter(pk=key)
    if connection.vendor != "postgresql":
        return reads
    captured_at = ReadKey.objects.filter(pk=key).values_list("captured_at", flat=True).first()
    if captured_at is None:
        return Read.objects.none()
    return reads.filter(captured_at=captured_at)


def _stored_read(key: uuid.UUID) -> Read:
    read = read_by_id(key).select_related("camera", "plate_crop", "overview").first()
    if read is None:
        raise RecordNotFound(f"read_id: no read {key}")
    return read


def read_detail(
    requester: Requester, justification: Justification | None, read_id: str
) -> ReadDetail:
    """Everything stored about one read."""
    key = _read_id(read_id)

    def fetch() -> Gated[ReadDetail]:
        read = _stored_read(key)
        return Gated(_detail(read), record_ids=[str(read.id)])

    return run_gated(
        requester,
        permission=Permission.SEARCH_READS,
        justification=justification,
        action="reads.detail",
        query={"read_id": str(key)},
        fetch=fetch,
    )


def read_page(requester: Requester, justification: Justification | None, read_id: str) -> ReadPage:
    """One read with its images inline, audited once (naming the read and the image hashes)."""
    key = _read_id(read_id)

    def fetch() -> Gated[ReadPage]:
        read = _stored_read(key)
        images = {
            image.sha256: data_uri(image)
            for image in (read.plate_crop, read.overview)
            if image is not None
        }
        return Gated(ReadPage(_detail(read), images), record_ids=[str(read.id), *images])

    return run_gated(
        requester,
        permission=Permission.SEARCH_READS,
        justification=justification,
        action="reads.detail",
        query={"read_id": str(key)},
        fetch=fetch,
    )


def read_image(
    requester: Requester, justification: Justification | None, sha256: str
) -> tuple[bytes, str]:
    """The bytes and content type of a stored plate crop or overview image."""

    def fetch() -> Gated[tuple[bytes, str]]:
        image = Image.objects.filter(sha256=sha256).first()
        if image is None:
            raise RecordNotFound(f"sha256: no image {sha256}")
        return Gated((image_bytes(image), image.content_type), record_ids=[sha256])

    return run_gated(
        requester,
        permission=Permission.SEARCH_READS,
        justification=justification,
        action="images.view",
        query={"sha256": sha256},
        fetch=fetch,
    )


@dataclass(frozen=True)
class Dashboard:
    reads_today: int
    cameras_total: int
    cameras_online: int


def dashboard_counts(online_within: dt.timedelta = dt.timedelta(minutes=15)) -> Dashboard:
    """Counts only (no plate, place or person), so no purpose is needed to see them."""
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    now = timezone.now()
    return Dashboard(
        reads_today=Read.objects.filter(captured_at__gte=today).count(),
        cameras_total=Camera.objects.filter(active=True).count(),
        cameras_online=Camera.objects.filter(
            active=True, last_seen_at__gte=now - online_within
        ).count(),
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def read_count_since(since: dt.datetime) -> int:
    """How many reads were captured since `since` (a count over the time index; no read)."""
    return Read.objects.filter(captured_at__gte=since).count()


def newest_read_times() -> dict[int, dt.datetime]:
    """Each camera's newest read time by camera id (times only, for the camera status page)."""
    return dict(
        Read.objects.values("camera_id")
        .annotate(newest=Max("captured_at"))
        .values_list("camera_id", "newest")
    )

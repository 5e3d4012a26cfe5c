"""Reads of alerts (ALPR data: each shows a read), each through the access gate and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from platekeeper.server.access.gate import (
    Gated,
    Justification,
    RecordNotFound,
    Requester,
    run_gated,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.models import Alert, AlertStatus
from platekeeper.server.reads.images import data_uri, image_bytes
from platekeeper.server.reads.queries import MAX_PAGE, QueryError

#: The purpose of hotlist-alert work on patrol (438.3(b)): needs no case number, since a hit is
#: not a case yet. The alert feed, the live stream and the alert steps use it unless another
#: purpose is stated.
ALERT_PURPOSE = "hotlist_alert_response"


def patrol_or(justification: Justification | None) -> Justification:
    """The stated justification, or patrol monitoring (keeping a case number if one was given)."""
    if justification is not None and (justification.purpose or justification.administrative):
        return justification
    case_number = justification.case_number if justification else ""
    return Justification(purpose=ALERT_PURPOSE, case_number=case_number)


@dataclass(frozen=True)
class AlertSummary:
    id: int
    plate: str
    read_id: str
    hotlist: str
    category: str
    priority: int
    entry_plate: str
    entry_state: str
    entry_description: str
    entry_reason: str
    match_kind: str
    status: str
    visual_check: str
    clets_check: str
    stale: bool
    created_at: dt.datetime
    captured_at: dt.datetime
    camera: str
    latitude: float
    longitude: float
    plate_crop_sha256: str | None


@dataclass(frozen=True)
class AlertPage:
    results: list[AlertSummary]
    next_cursor: str | None
    #: Plate crops as `data:` URIs by alert id, when asked for: the page shows them inline, so
    #: the list's one audit event (naming their hashes) covers them, not one event per image.
    crops: dict[int, str] = field(default_factory=dict)


def _crops(alerts: list[Alert]) -> tuple[dict[int, str], list[str]]:
    """The plate crops of these alerts' reads as `data:` URIs, and their hashes."""
    crops: dict[int, str] = {}
    hashes: list[str] = []
    for alert in alerts:
        image = alert.read.plate_crop
        if image is None:
            continue
        crops[alert.pk] = data_uri(image)
        hashes.append(image.sha256)
    return crops, hashes


def is_stale(alert: Alert, now: dt.datetime | None = None) -> bool:
    """True when the source dropped the entry, or the list is older than its freshness window."""
    if alert.entry_id is None:
        return True
    hotlist = alert.hotlist
    if hotlist is None or not hotlist.freshness_hours or hotlist.refreshed_at is None:
        return False
    return (now or timezone.now()) - hotlist.refreshed_at > dt.timedelta(
        hours=hotlist.freshness_hours
    )


def _summary(alert: Alert) -> AlertSummary:
    read = alert.read
    return AlertSummary(
        id=alert.pk,
        plate=alert.plate,
        read_id=str(alert.read_id),
        hotlist=alert.hotlist_name,
        category=alert.category,
        priority=alert.priority,
        entry_plate=alert.entry_plate,
        entry_state=alert.entry_state,
        entry_description=alert.entry_description,
        entry_reason=alert.entry_reason,
        match_kind=alert.match_kind,
        status=alert.status,
        visual_check=alert.visual_check,
        clets_check=alert.clets_check,
        stale=is_stale(alert),
        created_at=alert.created_at,
        captured_at=read.captured_at,
        camera=read.camera.name,
        latitude=read.latitude,
        longitude=read.longitude,
        plate_crop_sha256=read.plate_crop_id,
    )


def list_alerts(
    requester: Requester,
    justification: Justification | None,
    *,
    status: str | None = None,
    after_id: int | None = None,
    limit: int = 50,
    with_crops: bool = False,
) -> AlertPage:
    """Alerts newest first; `after_id` is the cursor (the last id of the previous page).

    `with_crops` returns the plate crops too (for the web page), named in the same event."""
    if not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit: must be between 1 and {MAX_PAGE}")

    def fetch() -> Gated[AlertPage]:
        alerts = Alert.objects.select_related(
            "read__camera", "read__plate_crop", "hotlist"
        ).order_by("-id")
        if status:
            alerts = alerts.filter(status=status)
        if after_id:
            alerts = alerts.filter(id__lt=after_id)
        rows = list(alerts[: limit + 1])
        page = rows[:limit]
        next_cursor = str(page[-1].pk) if len(rows) > limit else None
        crops, hashes = _crops(page) if with_crops else ({}, [])
        return Gated(
            AlertPage([_summary(a) for a in page], next_cursor, crops),
            record_ids=[str(a.read_id) for a in page] + hashes,
        )

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=patrol_or(justification),
        action="alerts.list",
        query={"status": status, "after_id": after_id},
        fetch=fetch,
    )


# --- one alert, as the officer verifies it (web page and API) ---------------------------------


@dataclass(frozen=True)
class AlertEvidence:
    """What the officer compares before acting: the read as captured beside the entry."""

    summary: AlertSummary
    history: list[dict]
    read_plate_as_captured: str
    read_state: str
    read_confidence: float | None
    vehicle: str
    overview_sha256: str | None
    entry_case_number: str
    entry_ncic_number: str
    entry_entered_at: dt.datetime
    enforcement_recorded: bool
    hotlist_freshness_hours: int | None
    hotlist_refreshed_at: dt.datetime | None


def alert_evidence(
    requester: Requester, justification: Justification | None, alert_id: int
) -> AlertEvidence:
    """One alert with the read's images, state and vehicle, and the history of steps (the
    alert page and `GET /api/v1/alerts/{id}` both show it)."""

    def fetch() -> Gated[AlertEvidence]:
        alert = Alert.objects.select_related("read__camera", "hotlist").filter(pk=alert_id).first()
        if alert is None:
            raise RecordNotFound(f"alert_id: no alert {alert_id}")
        read = alert.read
        history = [
            {
                "action": a.action,
                "value": a.value,
                "note": a.note,
                "user": a.user.username,
                "at": a.at,
            }
            for a in alert.actions.select_related("user")
        ]
        vehicle = " ".join(
            v for v in (read.vehicle_color, read.vehicle_make, read.vehicle_type) if v
        )
        evidence = AlertEvidence(
            summary=_summary(alert),
            history=history,
            read_plate_as_captured=read.plate,
            read_state=read.state,
            read_confidence=read.confidence,
            vehicle=vehicle,
            overview_sha256=read.overview_id,
            entry_case_number=alert.entry_case_number,
            entry_ncic_number=alert.entry_ncic_number,
            entry_entered_at=alert.entry_entered_at,
            enforcement_recorded=alert.enforcement_recorded,
            hotlist_freshness_hours=alert.hotlist.freshness_hours if alert.hotlist else None,
            hotlist_refreshed_at=alert.hotlist.refreshed_at if alert.hotlist else None,
        )
        return Gated(evidence, record_ids=[str(alert.read_id)])

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=patrol_or(justification),
        action="alerts.detail",
        query={"alert": alert_id},
        fetch=fetch,
    )


def alert_image(
    requester: Requester, justification: Justification | None, alert_id: int, which: str
) -> tuple[bytes, str]:
    """The plate crop (`which="crop"`) or overview of an alert's read, for those who verify
    alerts (an administrator may see alerts without the right to search reads)."""
    if which not in {"crop", "overview"}:
        raise QueryError("which: must be crop or overview")

    def fetch() -> Gated[tuple[bytes, str]]:
        alert = (
            Alert.objects.select_related("read__plate_crop", "read__overview")
            .filter(pk=alert_id)
            .first()
        )
        if alert is None:
            raise RecordNotFound(f"alert_id: no alert {alert_id}")
        image = alert.read.plate_crop if which == "crop" else alert.read.overview
        if image is None:
            raise QueryError(f"which: the read of alert {alert_id} has no {which} image")
        return Gated((image_bytes(image), image.content_type), record_ids=[image.sha256])

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=patrol_or(justification),
        action="images.view",
        query={"alert": alert_id, "which": which},
        fetch=fetch,
    )


def new_alerts_since(
    requester: Requester, justification: Justification | None, after_id: int, limit: int = 50
) -> AlertPage:
    """Alerts raised after `after_id`, oldest first, with their plate crops, for the live feed
    of the alerts page (one audit event names the reads and the images).

    Polled every second by each open page, so the gate runs (and audits) only when there is
    something to disclose; an idle feed writes nothing.
    """
    if not Alert.objects.filter(id__gt=after_id).exists():
        return AlertPage([], None)

    def fetch() -> Gated[AlertPage]:
        rows = list(
            Alert.objects.select_related("read__camera", "read__plate_crop", "hotlist")
            .filter(id__gt=after_id)
            .order_by("id")[:limit]
        )
        crops, hashes = _crops(rows)
        return Gated(
            AlertPage([_summary(a) for a in rows], None, crops),
            record_ids=[str(a.read_id) for a in rows] + hashes,
        )

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=patrol_or(justification),
        action="alerts.live",
        query={"after_id": after_id},
        fetch=fetch,
    )


@dataclass(frozen=True)
class HotlistHit:
    """One alert a read raised, as the read's page lists it."""

    alert_id: int
    hotlist: str
    entry_plate: str
    match_kind: str
    status: str


def hotlist_hits_of(read_id: str) -> list[HotlistHit]:
    """The alerts a read raised (its hotlist status), for a read the caller has already
    disclosed through `reads.queries.read_detail`, whose audit event covers this too."""
    return [
        HotlistHit(pk, hotlist, entry_plate, kind, status)
        for pk, hotlist, entry_plate, kind, status in Alert.objects.filter(read_id=read_id)
        .order_by("id")
        .values_list("id", "hotlist_name", "entry_plate", "match_kind", "status")
    ]


@dataclass(frozen=True)
class AlertCounts:
    """How many alerts were raised, closed and closed as misreads (aggregates, no alert)."""

    raised: int
    closed: int
    misreads: int


def alert_counts_since(since: dt.datetime) -> AlertCounts:
    """Counts of the alerts raised since `since`, for the public transparency figures."""
    alerts = Alert.objects.filter(created_at__gte=since)
    return AlertCounts(
        raised=alerts.count(),
        closed=alerts.filter(
            status__in=[AlertStatus.VERIFIED, AlertStatus.MISREAD, AlertStatus.CLEARED]
        ).count(),
        misreads=alerts.filter(status=AlertStatus.MISREAD).count(),
    )


def alert_for_dispatch(
    alert_id: int, *, requester: Requester, justification: Justification, query: dict[str, Any]
) -> dict[str, Any]:
    """What the department's dispatch system needs to send a unit, and nothing more: plate,
    state, list, place, time and a link to the alert (`platekeeper.server.dispatch.sender`
    sends it; each send is a disclosure, audited here with the sender's `query`)."""

    def fetch() -> Gated[dict[str, Any]]:
        alert = Alert.objects.select_related("read__camera").filter(pk=alert_id).first()
        if alert is None:
            raise RecordNotFound(f"alert_id: no alert {alert_id}")
        read = alert.read
        payload = {
            "alert": alert.pk,
            "plate": alert.plate,
            "state": read.state or alert.entry_state,
            "list": alert.hotlist_name,
            "place": {
                "camera": read.camera.name,
                "latitude": read.latitude,
                "longitude": read.longitude,
            },
            "time": read.captured_at.isoformat(),
            "link": f"{settings.PLATEKEEPER_PUBLIC_URL}/alerts/{alert.pk}",
        }
        return Gated(payload, record_ids=[str(alert.read_id)], record_count=1)

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=justification,
        action="alerts.dispatch",
        query=query,
        fetch=fetch,
    )

"""Reads of alerts (ALPR data: each shows a read), each through the access gate and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from platekeeper.server.access.gate import Gated, Justification, Requester, run_gated
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.models import Alert
from platekeeper.server.reads.queries import MAX_PAGE, QueryError


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
) -> AlertPage:
    """Alerts newest first; `after_id` is the cursor (the last id of the previous page)."""
    if not 1 <= limit <= MAX_PAGE:
        raise QueryError(f"limit: must be between 1 and {MAX_PAGE}")

    def fetch() -> Gated[AlertPage]:
        alerts = Alert.objects.select_related("read__camera", "hotlist").order_by("-id")
        if status:
            alerts = alerts.filter(status=status)
        if after_id:
            alerts = alerts.filter(id__lt=after_id)
        rows = list(alerts[: limit + 1])
        page = rows[:limit]
        next_cursor = str(page[-1].pk) if len(rows) > limit else None
        return Gated(
            AlertPage([_summary(a) for a in page], next_cursor),
            record_ids=[str(a.read_id) for a in page],
        )

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=justification,
        action="alerts.list",
        query={"status": status, "after_id": after_id},
        fetch=fetch,
    )


def alert_detail(
    requester: Requester, justification: Justification | None, alert_id: int
) -> tuple[AlertSummary, list[dict]]:
    """One alert with its history of steps."""

    def fetch() -> Gated[tuple[AlertSummary, list[dict]]]:
        alert = Alert.objects.select_related("read__camera", "hotlist").filter(pk=alert_id).first()
        if alert is None:
            raise QueryError(f"alert_id: no alert {alert_id}")
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
        return Gated((_summary(alert), history), record_ids=[str(alert.read_id)])

    return run_gated(
        requester,
        permission=Permission.VIEW_ALERTS,
        justification=justification,
        action="alerts.detail",
        query={"alert": alert_id},
        fetch=fetch,
    )

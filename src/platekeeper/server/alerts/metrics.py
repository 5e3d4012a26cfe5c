"""Counts about alerts for the dashboard and the metrics page: no plate, place or person in them.

The share of misreads is the false-alert rate a department should know before it trusts a hit
(Green v. City and County of San Francisco began with a 7 read as a 3).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet

from platekeeper.server.alerts.models import Alert, AlertAction, AlertStatus

OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)


@dataclass(frozen=True)
class GroupCount:
    """Alerts of one hotlist or one camera, and how they ended."""

    name: str
    alerts: int
    open: int
    verified: int
    misread: int
    cleared: int

    @property
    def misread_share(self) -> float | None:
        closed = self.verified + self.misread + self.cleared
        return self.misread / closed if closed else None


@dataclass(frozen=True)
class AlertMetrics:
    start: dt.datetime
    end: dt.datetime
    total: GroupCount
    by_list: list[GroupCount]
    by_camera: list[GroupCount]
    median_to_first_step: dt.timedelta | None
    median_to_outcome: dt.timedelta | None
    closed_with_outcome: int


def open_alert_count() -> int:
    """Alerts nobody has closed yet (new or acknowledged)."""
    return Alert.objects.filter(status__in=OPEN_STATUSES).count()


_COUNTS = {
    "alerts": Count("id"),
    "open": Count("id", filter=Q(status__in=OPEN_STATUSES)),
    "verified": Count("id", filter=Q(status=AlertStatus.VERIFIED)),
    "misread": Count("id", filter=Q(status=AlertStatus.MISREAD)),
    "cleared": Count("id", filter=Q(status=AlertStatus.CLEARED)),
}


def _grouped(alerts: QuerySet[Alert], field: str) -> list[GroupCount]:
    rows = alerts.values(field).annotate(**_COUNTS).order_by("-alerts", field)
    return [
        GroupCount(
            name=row[field] or "—",
            alerts=row["alerts"],
            open=row["open"],
            verified=row["verified"],
            misread=row["misread"],
            cleared=row["cleared"],
        )
        for row in rows
    ]


def _median(values: list[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    return dt.timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def alert_metrics(start: dt.datetime, end: dt.datetime) -> AlertMetrics:
    """Alerts raised in [start, end): by list and camera, how fast they were worked, how many
    were misreads. Times come from the steps' timestamps (AlertAction)."""
    alerts = Alert.objects.filter(created_at__gte=start, created_at__lt=end)
    total = alerts.aggregate(**_COUNTS)
    first_steps = alerts.annotate(first=Min("actions__at")).filter(first__isnull=False)
    outcomes = AlertAction.objects.filter(
        action="close", alert__created_at__gte=start, alert__created_at__lt=end
    ).values_list("alert__created_at", "at")
    to_outcome = [at - created for created, at in outcomes]
    return AlertMetrics(
        start=start,
        end=end,
        total=GroupCount(name="All lists", **total),
        by_list=_grouped(alerts, "hotlist_name"),
        by_camera=_grouped(alerts, "read__camera__name"),
        median_to_first_step=_median(
            [first - created for created, first in first_steps.values_list("created_at", "first")]
        ),
        median_to_outcome=_median(to_outcome),
        closed_with_outcome=len(to_outcome),
    )

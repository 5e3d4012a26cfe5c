"""Reads of access-control data (not ALPR data): who needs training renewed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from platekeeper.server.access.models import User


@dataclass(frozen=True)
class TrainingDue:
    username: str
    expires_on: dt.date | None
    status: str


def training_due(*, within_days: int = 30, today: dt.date | None = None) -> list[TrainingDue]:
    """Active users whose training is missing, lapsed, or expires within `within_days`."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    users = (
        User.objects.filter(is_active=True)
        .annotate(expires=Max("training_records__expires_on"))
        .order_by("expires", "username")
    )
    due = []
    for user in users:
        if user.expires is None:
            due.append(TrainingDue(user.username, None, "no training on record"))
        elif user.expires < today:
            due.append(TrainingDue(user.username, user.expires, f"lapsed on {user.expires}"))
        elif user.expires <= horizon:
            due.append(TrainingDue(user.username, user.expires, f"expires on {user.expires}"))
    return due

"""Aggregate figures for the public: counts only, never a plate, a place or a person.

Not gated: nothing here discloses ALPR data (438.8 keeps the data itself from public review;
438.2.1(g) and Civil Code §1798.90.51 want the policy and its practice posted). The audit chain's
head and its daily checkpoints are published so that anyone who saved the page can prove a later
rewrite of the log (Civil Code §1798.90.52); the agencies that may search or receive the data
with their agreements' scopes (§1798.90.55(b)); and refusals counted by kind, prohibited
purposes among them (Gov. Code §7284.6, Penal Code §13778.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from platekeeper.server.access.audit import (
    allowed_counts_by_purpose,
    chain_head,
    daily_checkpoints,
    latest_event,
    refusals_by_reason,
)
from platekeeper.server.alerts.queries import alert_counts_since
from platekeeper.server.cameras.models import Camera
from platekeeper.server.compliance.models import ProgramOfficials
from platekeeper.server.reads.queries import read_count_since
from platekeeper.server.retention.queries import retention_schedule
from platekeeper.server.sharing.queries import (
    agreements_published,
    partners_in_effect,
    sharing_enabled,
)

WINDOW_DAYS = 30
#: What a read holds, in plain words, for the public.
COLLECTED = (
    "plate text as read, with the reader's confidence and alternative readings",
    "state of the plate when it can be read",
    "date, time and place of the read, and the camera that made it",
    "an image of the plate and, on some cameras, of the vehicle",
    "vehicle make, colour and type when a camera reports them",
)


@dataclass(frozen=True)
class PublicFigures:
    """Everything the transparency page shows, as plain values (also served as JSON)."""

    generated_at: dt.datetime
    window_days: int
    policy_text: str
    collected: tuple[str, ...]
    retention_days: dict[str, int]
    retention_override: str
    cameras_active: int
    reads: int
    alerts: int
    alerts_closed: int
    misread_share: float | None
    searches_by_purpose: dict[str, int]
    overseen_by: dict[str, str]
    sharing_enabled: bool
    sharing_agencies: list[str]
    last_audit: dt.datetime | None
    audit_chain: dict[str, Any]
    audit_checkpoints: list[dict[str, Any]]
    agreements: list[dict[str, Any]]
    refusals_by_reason: dict[str, int]


def policy_text() -> str:
    """The posted policy: the file the administrator keeps at PLATEKEEPER_POLICY_FILE."""
    path = Path(settings.PLATEKEEPER_POLICY_FILE)
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _officials() -> dict[str, str]:
    """The titles and names of those who answer for the program (438.2.1(e)); public by design."""
    row = ProgramOfficials.current()
    named = {
        "administrator": (row.administrator_title, row.administrator_name),
        "designee": (row.designee_title, row.designee_name),
    }
    return {role: f"{name}, {title}" for role, (title, name) in named.items() if name}


def public_figures(now: dt.datetime | None = None) -> PublicFigures:
    """The figures of the last WINDOW_DAYS days, each a count over an indexed time range."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=WINDOW_DAYS)
    alerts = alert_counts_since(since)
    schedule = retention_schedule()
    last_audit = latest_event("audit.report")
    today = timezone.localtime(now).date()
    return PublicFigures(
        generated_at=now,
        window_days=WINDOW_DAYS,
        policy_text=policy_text(),
        collected=COLLECTED,
        retention_days={row.kind.value: row.days for row in schedule.rows},
        retention_override=schedule.override_reason,
        cameras_active=Camera.objects.filter(active=True).count(),
        reads=read_count_since(since),
        alerts=alerts.raised,
        alerts_closed=alerts.closed,
        misread_share=round(alerts.misreads / alerts.closed, 3) if alerts.closed else None,
        searches_by_purpose=allowed_counts_by_purpose("reads.", since),
        overseen_by=_officials(),
        sharing_enabled=sharing_enabled(),
        sharing_agencies=partners_in_effect(today),
        last_audit=last_audit.occurred_at if last_audit else None,
        audit_chain=chain_head(),
        audit_checkpoints=daily_checkpoints(),
        agreements=agreements_published(today),
        refusals_by_reason=refusals_by_reason(since),
    )

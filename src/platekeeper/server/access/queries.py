"""Reads of access-control and audit data: who needs training renewed, the audit log (gated
and itself audited: it shows who searched which plate), the last chain verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Max
from django.utils import timezone

from platekeeper.server.access.audit import events_newest_first
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Gated,
    Requester,
    authorize,
    run_gated,
)
from platekeeper.server.access.models import ChainVerification, User
from platekeeper.server.access.roles import Permission

AUDIT_PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor narrowed the log to (empty: everything); times are UTC-aware."""

    username: str = ""
    action: str = ""
    outcome: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def describe(self) -> dict[str, str]:
        return {k: str(v) for k, v in vars(self).items() if v}


def audit_log(requester: Requester, chosen: AuditFilter, page_number: str | None) -> Page:
    """One page of audit events, newest first. Viewing the log is itself audited (one event
    naming the events shown), since the log shows which plates were searched by whom."""

    def fetch() -> Gated[Page]:
        events = events_newest_first(
            username=chosen.username,
            action_prefix=chosen.action,
            outcome=chosen.outcome,
            since=chosen.since,
            until=chosen.until,
        )
        page = Paginator(events, AUDIT_PAGE_SIZE).get_page(page_number)
        page.object_list = list(page.object_list)
        return Gated(page, record_ids=[str(e.pk) for e in page.object_list])

    return run_gated(
        requester,
        permission=Permission.VIEW_AUDIT,
        justification=ADMINISTRATIVE,
        action="audit.view",
        query={**chosen.describe(), "page": page_number or "1"},
        fetch=fetch,
    )


def last_chain_verification() -> ChainVerification | None:
    """The newest result of the background chain verification (a status, no ALPR data)."""
    return ChainVerification.objects.first()


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


def people(requester: Requester) -> list[User]:
    """Every account with its agency, roles and newest training expiry, for the people page.

    No ALPR data, but who holds which role: asked of the gate (managing users), refusals
    audited as `users.view`."""
    authorize(
        requester,
        permission=Permission.MANAGE_USERS,
        justification=ADMINISTRATIVE,
        action="users.view",
        query={},
    )
    return list(
        User.objects.select_related("agency")
        .prefetch_related("groups")
        .annotate(training_expires=Max("training_records__expires_on"))
        .order_by("username")
    )


@dataclass(frozen=True)
class TrainingOverview:
    """The training page: whose training expires soon, whose lapsed, and who may be named."""

    expiring: list[TrainingDue]
    lapsed: list[TrainingDue]
    usernames: list[str]


def training_overview(requester: Requester, *, within_days: int = 30) -> TrainingOverview:
    """Training due within `within_days` and the active usernames, for whoever records training
    (asked of the gate, refusals audited as `training.view`)."""
    authorize(
        requester,
        permission=Permission.RECORD_TRAINING,
        justification=ADMINISTRATIVE,
        action="training.view",
        query={},
    )
    today = timezone.localdate()
    due = training_due(within_days=within_days, today=today)
    return TrainingOverview(
        expiring=[d for d in due if d.expires_on and d.expires_on >= today],
        lapsed=[d for d in due if not d.expires_on or d.expires_on < today],
        usernames=list(
            User.objects.filter(is_active=True)
            .order_by("username")
            .values_list("username", flat=True)
        ),
    )

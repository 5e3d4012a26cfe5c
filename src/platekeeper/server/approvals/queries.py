"""Reading approvals: a person's own broad requests and those they may decide, and the
thresholds. They hold what was asked (a place, a window, a plate pattern), never reads, so no
purpose is needed; the gate still asks role, account and training, refusals audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Requester,
    authorize,
    denial_reason,
    held_permission,
)
from platekeeper.server.access.roles import SEE_APPROVALS, Permission
from platekeeper.server.approvals.holds import expires_at
from platekeeper.server.approvals.models import ApprovalRequest, Status, Thresholds

#: How long a decision stays news on the requester's pages.
NEWS_FOR = dt.timedelta(days=1)
LIST_SIZE = 100


@dataclass(frozen=True)
class Approvals:
    """The approvals page: the person's own requests, and (for a supervisor) the others'
    awaiting a decision and those decided lately."""

    mine: list[ApprovalRequest]
    to_decide: list[ApprovalRequest]
    decided: list[ApprovalRequest]
    may_decide: bool


def may_see_approvals(requester: Requester) -> bool:
    """Whether the gate would open the approvals page to the requester (asked, not audited: the
    navigation shows the link only where following it is allowed, e.g. never to a partner)."""
    permission = held_permission(requester, SEE_APPROVALS)
    return denial_reason(requester, permission, ADMINISTRATIVE) is None


def approvals_for(requester: Requester) -> Approvals:
    """What the requester may see of approvals (asked of the gate, audited when refused)."""
    permission = held_permission(requester, SEE_APPROVALS)
    authorize(
        requester,
        permission=permission,
        justification=ADMINISTRATIVE,
        action="approvals.view",
        query={},
    )
    user = requester.acting_user
    rows = ApprovalRequest.objects.select_related("requester", "decided_by")
    mine = list(rows.filter(requester=user)[:LIST_SIZE])
    may_decide = permission is Permission.APPROVE_BROAD_QUERIES
    others = rows.exclude(requester=user)
    return Approvals(
        mine=mine,
        to_decide=list(others.filter(status=Status.AWAITING)[:LIST_SIZE]) if may_decide else [],
        decided=list(others.exclude(status=Status.AWAITING)[:LIST_SIZE]) if may_decide else [],
        may_decide=may_decide,
    )


def state_of(approval: ApprovalRequest, now: dt.datetime | None = None) -> str:
    """The status as the requester meets it: an approval not run in time has expired."""
    lapse = expires_at(approval)
    if approval.status == Status.APPROVED and lapse and lapse < (now or timezone.now()):
        return "expired"
    return approval.get_status_display()


def news_count(requester: Requester) -> int:
    """How many of the person's requests were decided lately and not yet run (the badge on
    their pages); counts only, nothing gated."""
    if requester.user is None:
        return 0
    recent = timezone.now() - NEWS_FOR
    return ApprovalRequest.objects.filter(
        Q(status=Status.APPROVED) | Q(status=Status.DENIED),
        requester=requester.user,
        decided_at__gte=recent,
    ).count()


def thresholds() -> Thresholds:
    """The thresholds (department settings, no personal or ALPR data)."""
    return Thresholds.current()

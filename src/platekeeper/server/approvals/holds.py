"""What the gate asks of the approvals app: whether a request is broad, holding it back, and
whether the approval a request is sent again with lets it run (once).

Called only by `access.gate`, inside its checks, so every gated query that describes its
breadth is held the same way; this module never imports the gate (the gate imports it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from platekeeper.server.approvals.breadth import Breadth, BreadthKind
from platekeeper.server.approvals.models import ApprovalRequest, Status, Thresholds

if TYPE_CHECKING:
    from platekeeper.server.access.gate import Justification, Requester


def broad_reason(breadth: Breadth) -> str | None:
    """Why the request is broad under the department's thresholds now, or None."""
    return breadth.over(Thresholds.current())


def _as_json(value: Any) -> Any:
    """`value` as the JSON field will give it back (tuples as lists, times as text)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _justification(justification: Justification | None) -> dict[str, Any]:
    # Every field, whatever fields Justification gains: the approver sees all that was stated.
    return _as_json(dataclasses.asdict(justification)) if justification is not None else {}


def hold(
    requester: Requester,
    *,
    permission: str,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    breadth: Breadth,
    why: str,
) -> ApprovalRequest:
    """Store the request as awaiting approval (in the gate's transaction, with its event)."""
    return ApprovalRequest.objects.create(
        requester=requester.acting_user,
        requester_name=requester.username,
        kind=breadth.kind.value,
        action=action,
        permission=permission,
        parameters=_as_json(query),
        justification=_justification(justification),
        breadth=_as_json(dataclasses.asdict(breadth)),
        why=why[:300],
        origin=requester.origin[:2000],
    )


def expires_at(approval: ApprovalRequest) -> dt.datetime | None:
    """When an approved request lapses unless run (None before a decision)."""
    if approval.decided_at is None:
        return None
    return approval.decided_at + dt.timedelta(hours=Thresholds.current().valid_hours)


def approval_problem(
    approval: ApprovalRequest | None,
    requester: Requester,
    *,
    action: str,
    query: dict[str, Any],
    justification: Justification | None,
    breadth: Breadth,
) -> str | None:
    """Why this approval does not let the request run now, or None when it does."""
    number = f"approval #{requester.approval}"
    if approval is None:
        return f"approval: there is no {number}"
    if requester.user is None or approval.requester_id != requester.user.pk:
        return f"approval: {number} was asked by another person"
    if approval.status == Status.AWAITING:
        return f"approval: {number} is still awaiting a supervisor's decision"
    if approval.status == Status.DENIED:
        return f"approval: {number} was denied by {approval.decided_by_name}: {approval.note}"
    if approval.status == Status.RUN:
        return f"approval: {number} was already run; an approval runs once"
    lapse = expires_at(approval)
    if lapse is not None and lapse < timezone.now():
        return f"approval: {number} expired at {lapse:%Y-%m-%d %H:%M} UTC; ask again"
    same = (
        approval.action == action
        and approval.kind == breadth.kind.value
        and _comparable(approval.parameters, approval.breadth.get("days"), breadth.kind)
        == _comparable(_as_json(query), breadth.days, breadth.kind)
        and approval.justification == _justification(justification)
    )
    if not same:
        return f"approval: {number} was given for another request; send that one again"
    return None


def _comparable(
    parameters: dict[str, Any], days: float | None, kind: BreadthKind
) -> dict[str, Any]:
    """The parameters that must be the same when an approved request is sent again. A
    search-back is "the last N days" from the moment it runs, asked when the plate is entered
    and run once it is: its plate and days count."""
    if kind is not BreadthKind.SEARCH_BACK:
        return parameters
    return {"plate": parameters.get("plate"), "days": round(days or 0)}


def find(number: int) -> ApprovalRequest | None:
    return ApprovalRequest.objects.filter(pk=number).first()


def mark_run(approval: ApprovalRequest) -> bool:
    """Use the approval up (in the transaction of the run); False when it was used meanwhile."""
    used = ApprovalRequest.objects.filter(
        pk=approval.pk, status=Status.APPROVED, run_at__isnull=True
    ).update(status=Status.RUN, run_at=timezone.now())
    return used == 1

"""Changes to approvals: the department's thresholds, and a supervisor's decision on another
person's broad request (the gate itself holds the requests, `holds.hold`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    AccessDenied,
    RecordNotFound,
    Requester,
    authorize,
    change,
    record_change,
    record_not_found,
    record_refusal,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.approvals.models import ApprovalRequest, Status, Thresholds

#: The thresholds a department may set, with what each means (the CLI's options and help).
THRESHOLD_FIELDS = {
    "canvass_radius_m": "a canvass wider than this radius (m)",
    "canvass_hours": "a canvass longer than this window (hours)",
    "partial_known_chars": "a partial plate with fewer known characters than this ...",
    "partial_days": "... over a window longer than this (days)",
    "export_rows": "an export of more reads than this",
    "search_back_days": "a hotlist search-back longer than this (days)",
    "vehicle_without_plate": "a vehicle-description search without any plate (on/off)",
    "valid_hours": "hours an approval may wait to be run",
}


class ApprovalError(PlatekeeperError, ValueError):
    """An approval change was refused; the message names the field."""


@change(Permission.MANAGE_SETTINGS, "approvals.thresholds")
def set_thresholds(*, requester: Requester, **values: int | bool) -> Thresholds:
    """Set some thresholds (audited with their old and new values); the rest stay."""
    unknown = sorted(set(values) - set(THRESHOLD_FIELDS))
    if unknown:
        raise ApprovalError(f"{unknown[0]}: is not a threshold")
    for name, value in values.items():
        if not isinstance(value, bool) and value < 1:
            raise ApprovalError(f"{name}: must be at least 1")
    thresholds = Thresholds.current()
    changed = {
        name: {"from": getattr(thresholds, name), "to": value}
        for name, value in values.items()
        if getattr(thresholds, name) != value
    }
    for name, value in values.items():
        setattr(thresholds, name, value)
    thresholds.save()
    record_change(requester, ADMINISTRATIVE, action="approvals.thresholds", query=changed)
    return thresholds


@dataclass(frozen=True)
class Decision:
    approve: bool
    note: str = ""

    @property
    def action(self) -> str:
        return "approvals.approve" if self.approve else "approvals.deny"


def decide(requester: Requester, number: int, decision: Decision) -> ApprovalRequest:
    """A supervisor approves or denies another person's broad request, once; a denial says
    why. The request then runs only when its requester sends it again (once)."""
    note = decision.note.strip()
    query = {"approval": number, "note": note}
    authorize(
        requester,
        permission=Permission.APPROVE_BROAD_QUERIES,
        justification=ADMINISTRATIVE,
        action=decision.action,
        query=query,
    )
    user = requester.acting_user
    if not decision.approve and not note:
        raise ApprovalError("note: say why the request is denied")
    approval = ApprovalRequest.objects.filter(pk=number).first()
    if approval is None:
        missing = f"approval: there is no approval #{number}"
        record_not_found(
            requester, ADMINISTRATIVE, action=decision.action, query=query, reason=missing
        )
        raise RecordNotFound(missing)
    if approval.requester_id == user.pk:
        # Two people: whoever asked may never be the one who approves.
        refusal = f"approval: #{number} is your own request; another person must decide it"
        record_refusal(requester, action=decision.action, query=query, reason=refusal)
        raise AccessDenied(refusal)
    with transaction.atomic():
        approval = ApprovalRequest.objects.select_for_update().get(pk=number)
        if approval.status != Status.AWAITING:
            raise ApprovalError(
                f"approval: #{number} was already decided ({approval.get_status_display()})"
            )
        approval.status = Status.APPROVED if decision.approve else Status.DENIED
        approval.decided_by, approval.decided_by_name = user, requester.username
        approval.decided_at, approval.note = timezone.now(), note
        approval.save()
        record_change(
            requester,
            ADMINISTRATIVE,
            action=decision.action,
            query={**query, "requester": approval.requester_name, "why": approval.why},
            record_ids=[str(approval.pk)],
        )
    return approval

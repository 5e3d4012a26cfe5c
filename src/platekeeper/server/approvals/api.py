"""The approvals API: the caller's broad requests and those they may decide, and the decision.

A broad request itself answers 202 `{approval_id, status, message}` wherever it is asked
(`api.py` turns the gate's `ApprovalPending` into that answer); once approved, the requester
sends the same request again with `approval=ID`, and it runs once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Router, Schema

from platekeeper.server.access.auth import PERSON_AUTH, PersonRequest, api_requester
from platekeeper.server.approvals import actions, queries
from platekeeper.server.approvals.models import ApprovalRequest

router = Router(tags=["approvals"], auth=PERSON_AUTH)


class ApprovalOut(Schema):
    id: int
    requester: str
    kind: str
    action: str
    why: str
    parameters: dict[str, Any]
    justification: dict[str, Any]
    status: str
    created_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    note: str
    run_at: dt.datetime | None


class ApprovalsOut(Schema):
    mine: list[ApprovalOut]
    to_decide: list[ApprovalOut]
    decided: list[ApprovalOut]


class HeldOut(Schema):
    """The answer to a broad request: held, not run."""

    approval_id: int
    status: str
    message: str


class DecisionIn(Schema):
    note: str = Field("", max_length=2000, description="Required to deny: why")


def _out(approval: ApprovalRequest) -> dict[str, Any]:
    return {
        "id": approval.pk,
        "requester": approval.requester_name,
        "kind": approval.kind,
        "action": approval.action,
        "why": approval.why,
        "parameters": approval.parameters,
        "justification": approval.justification,
        "status": queries.state_of(approval),
        "created_at": approval.created_at,
        "decided_by": approval.decided_by_name,
        "decided_at": approval.decided_at,
        "note": approval.note,
        "run_at": approval.run_at,
    }


@router.get("/approvals", response=ApprovalsOut, summary="My broad requests, and those I decide")
def list_approvals(request: PersonRequest) -> dict:
    """The caller's own broad requests; for a supervisor (`approve_broad_queries`) also the
    others' awaiting a decision and those decided lately."""
    found = queries.approvals_for(api_requester(request))
    return {
        "mine": [_out(a) for a in found.mine],
        "to_decide": [_out(a) for a in found.to_decide],
        "decided": [_out(a) for a in found.decided],
    }


@router.post(
    "/approvals/{approval_id}/approve", response=ApprovalOut, summary="Approve a broad request"
)
def approve(request: PersonRequest, approval_id: int, body: DecisionIn) -> dict:
    """Approve another person's broad request (never one's own); it may then run once."""
    decision = actions.Decision(approve=True, note=body.note)
    return _out(actions.decide(api_requester(request), approval_id, decision))


@router.post("/approvals/{approval_id}/deny", response=ApprovalOut, summary="Deny a broad request")
def deny(request: PersonRequest, approval_id: int, body: DecisionIn) -> dict:
    """Deny another person's broad request, saying why (`note` is required)."""
    decision = actions.Decision(approve=False, note=body.note)
    return _out(actions.decide(api_requester(request), approval_id, decision))

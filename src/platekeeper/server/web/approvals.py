"""The approvals page: a supervisor's queue of broad requests to approve or deny with a note,
and the requester's own requests with a "Run" link once approved (issue 15, item 4).

The run is the requester's page asked again with `approval=ID` (the page it came from), so
the results show on that page's own template and the gate uses the approval up there.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.roles import SEE_APPROVALS, Permission
from platekeeper.server.approvals import actions, queries
from platekeeper.server.approvals.breadth import BreadthKind
from platekeeper.server.approvals.models import ApprovalRequest
from platekeeper.server.web.common import AuthenticatedRequest, requester, require


def run_link(approval: ApprovalRequest) -> str:
    """The page the request came from, asked again under the approval ("" when it came from
    elsewhere: the API or the console send it again themselves)."""
    if not approval.origin:
        return ""
    joiner = "&" if "?" in approval.origin else "?"
    return f"{approval.origin}{joiner}approval={approval.pk}"


def _row(approval: ApprovalRequest) -> dict:
    state = queries.state_of(approval)
    return {
        "approval": approval,
        "state": state,
        "kind": BreadthKind(approval.kind).label,
        "run_link": run_link(approval) if state == "approved" else "",
    }


@require(*SEE_APPROVALS, action="approvals.view")
@require_GET
def approvals(request: AuthenticatedRequest) -> HttpResponse:
    found = queries.approvals_for(requester(request))
    return render(
        request,
        "approvals/approvals.html",
        {
            "mine": [_row(a) for a in found.mine],
            "to_decide": [_row(a) for a in found.to_decide],
            "decided": [_row(a) for a in found.decided],
            "may_decide": found.may_decide,
        },
    )


@require(Permission.APPROVE_BROAD_QUERIES, action="approvals.decide")
@require_POST
def approval_decide(request: AuthenticatedRequest, approval_id: int) -> HttpResponse:
    """Approve or deny (with a note) another person's broad request."""
    decision = actions.Decision(
        approve=request.POST.get("decision") == "approve", note=request.POST.get("note", "")
    )
    try:
        approval = actions.decide(requester(request), approval_id, decision)
    except actions.ApprovalError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Approval #{approval.pk} {approval.get_status_display()}: {approval.why}"
        )
    return redirect("web:approvals")

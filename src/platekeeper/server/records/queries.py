"""Reading records requests: the commander's queue, one request, and the late ones.

Requests hold names and what was asked for, never ALPR data, so reading them needs no purpose,
but only those who handle records requests may (asked of the gate, refusals audited). The
reads a request releases go out only through `actions.release_records` and the gate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.agencies.models import Agency
from platekeeper.server.records.models import Decision, RecordsRequest, RequestStatus

PAGE_SIZE = 25
#: How far back the compliance report looks for requests answered late.
LATE_LOOKBACK = dt.timedelta(days=365)
#: Filters of the queue beyond the statuses: undecided requests past their due date.
OVERDUE = "overdue"


class RecordsError(PlatekeeperError, ValueError):
    """A records request change or look-up was refused; the message names the field."""


def _requests() -> QuerySet[RecordsRequest]:
    return RecordsRequest.objects.select_related(
        "agency", "taken_in_by", "extended_by", "decided_by"
    ).prefetch_related("releases__released_by")


def _status_filter(status: str, today: dt.date) -> Q:
    """The rows of a status (as `RecordsRequest.status` derives it), or of the overdue ones."""
    undecided = Q(decision="")
    filters = {
        RequestStatus.AWAITING_DECISION.value: undecided,
        RequestStatus.DECIDED.value: Q(decision__in=[Decision.RELEASE, Decision.PARTIAL])
        & Q(releases__isnull=True),
        RequestStatus.RELEASED.value: Q(releases__isnull=False),
        RequestStatus.CLOSED.value: Q(decision=Decision.DENY),
        OVERDUE: undecided & Q(due_on__lt=today),
    }
    if status not in filters:
        raise RecordsError(f"status: {status!r} is not one of {', '.join(filters)}")
    return filters[status]


def _may_handle(requester: Requester, action: str, query: dict[str, Any]) -> None:
    """Refuse (audited) unless the requester may handle records requests now (role, account,
    training): requesters' names and what they sought are not for every role."""
    authorize(
        requester,
        permission=Permission.MANAGE_RECORDS_REQUESTS,
        justification=ADMINISTRATIVE,
        action=action,
        query=query,
    )


def list_requests(
    requester: Requester,
    *,
    status: str = "",
    page: int | str | None = 1,
    today: dt.date | None = None,
) -> Page:
    """One page of requests, soonest due first; `status` is a status value or "overdue"."""
    _may_handle(requester, "records.view", {"status": status, "page": str(page or 1)})
    rows = _requests()
    if status:
        rows = rows.filter(_status_filter(status, today or timezone.localdate())).distinct()
    return Paginator(rows.order_by("due_on", "id"), PAGE_SIZE).get_page(page)


def request_detail(requester: Requester, number: str) -> RecordsRequest:
    """One request with its releases, by its number (e.g. RR-2026-0007)."""
    _may_handle(requester, "records.view", {"request": number})
    return stored_request(number)


def stored_request(number: str) -> RecordsRequest:
    """The request of this number, for the records actions, which ask the gate themselves."""
    found = _requests().filter(number=number.strip().upper()).first()
    if found is None:
        raise RecordsError(f"number: no records request {number!r}")
    return found


def open_requests_for_commander() -> int:
    """How many requests wait for the Support Services Division Commander's decision."""
    return RecordsRequest.objects.filter(decision="", routed_to=Role.AUDITOR.value).count()


def late_requests(today: dt.date | None = None) -> list[RecordsRequest]:
    """Requests of the last year not answered in time: still undecided past their due date,
    or decided after it (the compliance report's "answered within deadline")."""
    today = today or timezone.localdate()
    late = Q(decision="", due_on__lt=today) | Q(decided_at__date__gt=F("due_on"))
    rows = _requests().filter(late, received_on__gte=today - LATE_LOOKBACK)
    return list(rows.order_by("received_on", "id"))


def agency_named(name: str) -> Agency:
    """The agency a request comes from, by its exact name."""
    agency = Agency.objects.filter(name=name.strip()).first()
    if agency is None:
        raise RecordsError(f"agency: no agency named {name!r}")
    return agency

"""Reading records requests: the commander's queue, one request, and the late ones.

Requests hold names and what was asked for, never ALPR data, so reading them needs no purpose,
but only those who handle records requests may (asked of the gate, refusals audited). The
reads a request releases go out only through `actions.release_records` and the gate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize
from platekeeper.server.access.models import User
from platekeeper.server.access.roles import ROLE_PERMISSIONS, Permission, Role
from platekeeper.server.agencies.models import Agency
from platekeeper.server.records.models import Decision, RecordsRequest, RequestStatus

PAGE_SIZE = 25
#: How far back the compliance report looks for requests answered late.
LATE_LOOKBACK = dt.timedelta(days=365)
#: Filters of the queue beyond the statuses: undecided requests past their due date.
OVERDUE = "overdue"


#: What a release asks of the gate: handling records requests and exporting reads. Only the
#: records custodian's role holds both, so the release step is theirs (and offered only to them).
RELEASE_PERMISSIONS = (Permission.MANAGE_RECORDS_REQUESTS, Permission.EXPORT_READS)
RELEASING_ROLES = tuple(
    role for role, held in ROLE_PERMISSIONS.items() if set(RELEASE_PERMISSIONS) <= held
)


class RecordsError(PlatekeeperError, ValueError):
    """A records request change or look-up was refused; the message names the field."""


@dataclass(frozen=True)
class NextStep:
    """Who must act next on a request and what they must do; no role when nothing is left."""

    what: str
    roles: tuple[Role, ...] = ()
    people: tuple[str, ...] = ()

    def describe(self) -> str:
        if not self.roles:
            return self.what
        who = " or ".join(role.label for role in self.roles)
        named = f" ({', '.join(self.people)})" if self.people else " (no one holds the role)"
        return f"{who}{named}: {self.what}"


def next_step(row: RecordsRequest, people: Mapping[Role, tuple[str, ...]]) -> NextStep:
    """What the request waits for: the commander's decision, the custodian's release, or
    nothing (denied, or released). `people` names the active accounts of each role
    (`people_by_role`)."""

    def by(roles: tuple[Role, ...], what: str) -> NextStep:
        named = tuple(name for role in roles for name in people.get(role, ()))
        return NextStep(what, roles, named)

    if not row.decision:
        return by((Role(row.routed_to),), "decide, with the legal basis")
    if row.decision == Decision.DENY:
        return NextStep("nobody: the request was denied")
    if not row.releases.all():
        return by(RELEASING_ROLES, "release the reads decided for release")
    return NextStep("nobody: the reads were released")


def people_by_role(
    roles: Iterable[Role] = (Role.AUDITOR, *RELEASING_ROLES),
) -> dict[Role, tuple[str, ...]]:
    """The usernames of the active accounts of each role, for `next_step`."""
    wanted = [role.value for role in roles]
    found: dict[Role, list[str]] = {}
    members = (
        User.objects.filter(is_active=True, groups__name__in=wanted)
        .order_by("username")
        .values_list("groups__name", "username")
    )
    for group, username in members:
        found.setdefault(Role(group), []).append(username)
    return {role: tuple(names) for role, names in found.items()}


def may_release(user: User) -> bool:
    """Whether the page offers this person the release step: their role holds what the release
    asks of the gate (which asks again, with account and training, when they use it)."""
    return all(user.has_perm(f"access.{permission.value}") for permission in RELEASE_PERMISSIONS)


def _requests() -> QuerySet[RecordsRequest]:
    return RecordsRequest.objects.select_related(
        "agency", "taken_in_by", "extended_by", "decided_by"
    ).prefetch_related("releases__released_by", "amendments__decided_by", "amendments__amended_by")


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

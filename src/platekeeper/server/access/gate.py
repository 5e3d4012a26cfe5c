"""The one access layer: every read of ALPR data passes `run_gated`.

It checks, in order, that the account is active and not locked, that the role grants the
permission, that training is current (438.7), that a second factor is set up where required,
and that a known purpose and (unless exempt) a case number were stated (438.5(b)), and, for an
account of another agency, that a sharing agreement in effect covers it (438.6); a query that
states its breadth and goes beyond the department's thresholds waits for a second person's
approval (`approvals`), and then runs once. Then it runs
the query and writes the audit event in the same transaction, so data is never returned without
its record. A refusal is recorded too (in its own transaction) before it is raised.

Every action that changes state and every query of ALPR or audit data takes a `Requester` (a
person, a partner agency's account, a device, the operator at the server's console, or a system
job) and asks `authorize` (changes) or `run_gated` (reads) itself, before it does anything, so no
view, route or command decides permissions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import getpass
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NoReturn, TypeVar

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.models import (
    AuditEvent,
    Outcome,
    Purpose,
    SecuritySettings,
    TrainingRecord,
    User,
)
from platekeeper.server.access.prohibited import find_prohibited, purpose_definition_problem
from platekeeper.server.access.roles import Permission
from platekeeper.server.approvals import holds
from platekeeper.server.approvals.breadth import Breadth, BreadthKind
from platekeeper.server.approvals.models import ApprovalRequest
from platekeeper.server.cases.format import case_number_problem
from platekeeper.server.common.budget import time_budget
from platekeeper.server.replicas import fetch_on_replica
from platekeeper.server.sharing.log import record_disclosure
from platekeeper.server.sharing.models import Agreement
from platekeeper.server.sharing.scope import (
    agency_named,
    beneficiary_agreement,
    is_partner,
    partner_agreement,
)

T = TypeVar("T")


class AccessDenied(PlatekeeperError):
    """Access refused; `status` is the HTTP status (400: bad purpose/case, 403: not allowed)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class RecordNotFound(PlatekeeperError, LookupError):
    """The id asked for names no record (404); the lookup is audited as `not_found` all the same,
    so probing for ids leaves a trace."""

    status = 404


class ApprovalPending(AccessDenied):
    """A broad request held until a second person approves it (202): nothing ran. Send the
    same request again with `approval_id` once it is approved."""

    def __init__(self, message: str, approval_id: int) -> None:
        super().__init__(message, status=202)
        self.approval_id = approval_id


class _BroadOnceCounted(Exception):
    """Raised inside a run's transaction when its rows make it broad (an export), so the
    fetch is rolled back before the request is held."""

    def __init__(self, breadth: Breadth, why: str) -> None:
        super().__init__(why)
        self.breadth = breadth
        self.why = why


class PrincipalKind(enum.StrEnum):
    """Who acts: a person (this department's or a partner agency's, by login or token), a camera's
    device token, the operator at the server's console, or a system job (the scheduler)."""

    PERSON = "person"
    DEVICE = "device"
    CONSOLE = "console"
    SYSTEM = "system"


#: What a device token may do besides sending reads: receive the hotlists it matches against.
DEVICE_PERMISSIONS = frozenset({Permission.RECEIVE_HOTLIST_ENTRIES})


@dataclass(frozen=True)
class Requester:
    """Who is asking and through which door (ui, api, cli or system), for the gate and the audit.

    People carry their `user`; devices, the console and system jobs carry a `name` instead
    (the camera, the operating-system user, the job).
    """

    user: User | None = None
    channel: str = "ui"
    client_address: str = ""
    kind: PrincipalKind = PrincipalKind.PERSON
    name: str = ""
    #: The approved broad request this access is sent again under (`approvals`), if any.
    approval: int | None = None
    #: The page the access came from, so a held broad request can be sent again from it.
    origin: str = ""

    @classmethod
    def person(cls, user: User, *, channel: str, client_address: str = "") -> Requester:
        return cls(user=user, channel=channel, client_address=client_address)

    @classmethod
    def console(cls) -> Requester:
        """Someone running administrative commands on the server itself: shell access is already
        the highest privilege, so the operating-system user is recorded as the actor."""
        who = f"console:{getpass.getuser()}"
        return cls(channel="cli", client_address=who, kind=PrincipalKind.CONSOLE, name=who)

    @classmethod
    def system(cls, job: str) -> Requester:
        """A job the server runs by itself (purge, drop folder, self-check, chain verification)."""
        return cls(channel="system", kind=PrincipalKind.SYSTEM, name=f"system:{job}")

    @classmethod
    def device(cls, camera_name: str, *, client_address: str = "") -> Requester:
        return cls(
            channel="api",
            client_address=client_address,
            kind=PrincipalKind.DEVICE,
            name=f"device:{camera_name}",
        )

    @property
    def actor(self) -> Actor:
        """The identity written to the audit record."""
        if self.user is not None:
            return Actor.of(self.user)
        return Actor(username=self.name)

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def acting_user(self) -> User:
        """The person acting, for the records that name one (who placed a hold, took a step).

        The gate lets only people reach those actions; a device, the console or a system job
        that got there all the same is refused rather than stored as nobody.
        """
        if self.user is None:
            raise AccessDenied(f"{self.username}: only a person who signs in may do this")
        return self.user


def approval_number(text: str | None) -> int | None:
    """The `approval` parameter a held broad request is sent again with (None: not given)."""
    if not text:
        return None
    if not text.strip().isdigit():
        raise AccessDenied(f"approval: {text[:20]!r} is not an approval number", status=400)
    return int(text)


@dataclass(frozen=True)
class Justification:
    """The stated purpose code and case/incident number of an access, and on whose behalf it
    is made, if not the requester's own department's.

    `ADMINISTRATIVE` marks a change that discloses no ALPR data (e.g. importing a hotlist):
    role, account and training are still checked, but no purpose is asked.
    """

    purpose: str = ""
    case_number: str = ""
    administrative: bool = False
    #: Free text stated with the access (a case description, a note); screened, never stored
    #: apart from the audit event's query.
    note: str = ""
    #: Another agency (name or NCIC ORI) the access is made for: allowed only as that agency's
    #: own search would be (`sharing.scope.beneficiary_agreement`), and then in the sharing log.
    on_behalf_of_agency: str = ""
    #: The person who asked for it (e.g. an officer of that agency), named in the audit event.
    on_behalf_of_person: str = ""

    def beneficiary(self) -> dict[str, str]:
        """On whose behalf, as the audit event's query records it (empty: the requester's own)."""
        stated = {"agency": self.on_behalf_of_agency, "person": self.on_behalf_of_person}
        return {key: value.strip() for key, value in stated.items() if value.strip()}


ADMINISTRATIVE = Justification(administrative=True)


@dataclass(frozen=True)
class Gated(Generic[T]):
    """What a gated query returns: the value, and the ids of the records it disclosed."""

    value: T
    record_ids: Sequence[str]
    record_count: int | None = None


def training_problem(user: User, today: dt.date | None = None) -> str | None:
    """Why the user's training does not allow access now, or None when it is current."""
    today = today or timezone.localdate()
    latest = TrainingRecord.objects.filter(user=user, completed_on__lte=today).first()
    if latest is None:
        return "no ALPR training is on record; complete department-approved training first"
    if latest.expires_on < today:
        return f"ALPR training lapsed on {latest.expires_on:%Y-%m-%d}; renew it to regain access"
    return None


def account_problem(user: User) -> str | None:
    """Why the account itself may not be used now (disabled, locked), or None."""
    if not user.is_active:
        return "this account is disabled"
    if user.locked_until and user.locked_until > timezone.now():
        return f"this account is locked after failed logins until {user.locked_until:%H:%M} UTC"
    return None


def purpose_problem(justification: Justification | None) -> str | None:
    """Why the stated purpose or case number is not acceptable, or None."""
    if justification is not None and justification.administrative:
        return None
    if justification is None or not justification.purpose:
        return f"purpose: is required (one of {', '.join(active_purpose_codes())})"
    purpose = Purpose.objects.filter(code=justification.purpose, active=True).first()
    if purpose is None:
        return (
            f"purpose: {justification.purpose!r} is not a known purpose "
            f"(one of {', '.join(active_purpose_codes())})"
        )
    forbidden = purpose_definition_problem(purpose.code, purpose.label)
    if forbidden:
        return forbidden
    case_number = justification.case_number.strip()
    if purpose.case_number_required and not case_number:
        return f"case_number: is required for the purpose {purpose.code!r}"
    return case_number_problem(case_number) if case_number else None


def standing_problem(requester: Requester) -> str | None:
    """Why the requester's account may no longer be used, read afresh from the database
    (disabled, locked, training lapsed, second factor now required), or None.

    For long-lived accesses such as the live alert stream, whose `requester.user` was loaded
    when the stream opened and would not see a later `user disable`.
    """
    if requester.user is None:
        return None
    user = User.objects.select_related("agency").filter(pk=requester.user.pk).first()
    if user is None:
        return "this account no longer exists"
    problem = account_problem(user) or training_problem(user)
    if problem:
        return problem
    if SecuritySettings.current().require_totp and not user.totp_confirmed:
        return "a second factor (TOTP) is required; set it up under My account"
    return None


def active_purpose_codes() -> list[str]:
    return list(Purpose.objects.filter(active=True).order_by("code").values_list("code", flat=True))


def denial_reason(
    requester: Requester, permission: Permission, justification: Justification | None
) -> tuple[str, int] | None:
    """The first reason this access must be refused, with its HTTP status; None to allow."""
    return _judge(requester, permission, justification)[0]


def _judge(
    requester: Requester, permission: Permission, justification: Justification | None
) -> tuple[tuple[str, int] | None, Agreement | None]:
    """The refusal (or None), and for an allowed partner the agreement the access comes under."""
    if requester.kind is not PrincipalKind.PERSON or requester.user is None:
        return _judge_machine(requester, permission, justification), None
    user = requester.user
    problem = account_problem(user)
    if problem:
        return (problem, 403), None
    if not user.has_perm(f"access.{permission.value}"):
        return (f"your role may not {permission.label.lower()}", 403), None
    problem = training_problem(user)
    if problem:
        return (problem, 403), None
    administrative = justification is not None and justification.administrative
    # The mandatory second factor guards ALPR data; setting one up (or an administrator
    # resetting one) must stay possible without it.
    if SecuritySettings.current().require_totp and not user.totp_confirmed and not administrative:
        return ("a second factor (TOTP) is required; set it up under My account", 403), None
    problem = purpose_problem(justification)
    if problem:
        return (problem, 400), None
    if administrative and is_partner(user):
        return ("a partner agency may not change this department's records", 403), None
    purpose = justification.purpose if justification else ""
    beneficiary = justification.on_behalf_of_agency.strip() if justification else ""
    if is_partner(user):
        if beneficiary and agency_named(beneficiary) != user.agency:
            return (
                f"on_behalf_of: an account of {user.agency} asks for its own agency only",
                403,
            ), None
        agreement, problem = partner_agreement(user, permission, purpose)
    elif beneficiary:
        agreement, problem = beneficiary_agreement(beneficiary, permission, purpose)
    else:
        return None, None
    return ((problem, 403) if problem else None), agreement


#: Keys of an access's `query` that hold free text a person typed (alert-step notes, a hotlist
#: entry's reason, a records request's text), screened for prohibited purposes.
FREE_TEXT_KEYS = ("note", "reason", "description", "request_text")


def prohibited_problem(justification: Justification | None, query: dict[str, Any]) -> str | None:
    """The refusal citing the law when the free text travelling with an access names a
    prohibited purpose (`access.prohibited`), or None. The one place all such text is screened."""
    texts = [(key, str(query[key])) for key in FREE_TEXT_KEYS if query.get(key)]
    if justification is not None:
        texts = [
            ("case_number", justification.case_number),
            ("note", justification.note),
            *(("on_behalf_of", text) for text in justification.beneficiary().values()),
            *texts,
        ]
    return find_prohibited(texts)


def _judge_machine(
    requester: Requester, permission: Permission, justification: Justification | None
) -> tuple[str, int] | None:
    """Devices receive what they match against; the console and system jobs make
    administrative changes. None of them reaches ALPR data: a person signs in for that."""
    if requester.kind is PrincipalKind.DEVICE:
        if permission in DEVICE_PERMISSIONS:
            return None
        return (f"a device token may not {permission.label.lower()}", 403)
    if justification is not None and justification.administrative:
        return None
    return (
        f"{requester.username} may not {permission.label.lower()}: ALPR data is reached by a "
        "person who signs in (--user) and states a purpose",
        403,
    )


def _event_fields(
    requester: Requester, justification: Justification | None, action: str, query: dict[str, Any]
) -> dict[str, Any]:
    stated: dict[str, Any] = {}
    if justification is not None and justification.note:
        stated["note"] = justification.note
    if justification is not None and justification.beneficiary():
        stated["on_behalf_of"] = justification.beneficiary()
    return {
        "actor": requester.actor,
        "action": action,
        "purpose": justification.purpose if justification else "",
        "case_number": justification.case_number.strip() if justification else "",
        "query": {**query, **stated},
        "client_address": requester.client_address,
        "channel": requester.channel,
    }


def authorize(
    requester: Requester,
    *,
    permission: Permission,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    breadth: Breadth | None = None,
) -> Agreement | None:
    """Refuse (audited, committed) unless the requester may act now; allow silently otherwise.

    For changes whose own action writes the audit event; reads of data use `run_gated`.
    Returns the sharing agreement an allowed partner's access comes under (None for staff).
    With `breadth`, a broad request is held (or its approval checked, not used up) before the
    caller writes anything: `run_gated` uses the approval up when the data is read.
    """
    refused, agreement = _judge(requester, permission, justification)
    if refused is None:
        problem = prohibited_problem(justification, query)
        refused = (problem, 403) if problem else None
    if refused:
        _refuse(requester, justification, action, query, *refused)
    if breadth is not None:
        _approval_for(requester, permission, justification, action, query, breadth)
    return agreement


def _refuse(
    requester: Requester,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    reason: str,
    status: int,
) -> NoReturn:
    _record_on_its_own(requester, justification, action, query, Outcome.DENIED, reason)
    raise AccessDenied(reason, status=status)


def _approval_for(
    requester: Requester,
    permission: Permission,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    breadth: Breadth,
) -> ApprovalRequest | None:
    """The approval a request described as `breadth` runs under, None when it is not broad;
    a broad one without a usable approval is held (`ApprovalPending`, audited as refused:
    awaiting approval) or refused. Asked after every other check passed. An approval sent
    with a request that is not broad is not used up; an export's rows are counted only once
    it ran, so an approval sent with one is checked all the same."""
    why = holds.broad_reason(breadth)
    if why is None and not (requester.approval and breadth.kind is BreadthKind.EXPORT):
        return None
    if requester.approval is None:
        _hold(requester, permission, justification, action, query, breadth, why or "")
    approval = holds.find(requester.approval)
    problem = holds.approval_problem(
        approval,
        requester,
        action=action,
        query=query,
        justification=justification,
        breadth=breadth,
    )
    if problem:
        _refuse(requester, justification, action, query, problem, 403)
    return approval


def _hold(
    requester: Requester,
    permission: Permission,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    breadth: Breadth,
    why: str,
) -> NoReturn:
    """Store a broad request for a second person's decision and answer 202, audited as
    refused: awaiting approval (committed)."""
    with transaction.atomic():
        held = holds.hold(
            requester,
            permission=permission.value,
            justification=justification,
            action=action,
            query=query,
            breadth=breadth,
            why=why,
        )
        record_event(
            **_event_fields(requester, justification, action, query),
            outcome=Outcome.DENIED,
            reason=f"awaiting approval #{held.pk}: {why}",
        )
    raise ApprovalPending(
        f"awaiting approval: {why}. Approval #{held.pk} waits for a supervisor; once approved, "
        f"send the same request again with approval={held.pk}",
        held.pk,
    )


def held_permission(requester: Requester, permissions: Sequence[Permission]) -> Permission:
    """The first of `permissions` the requester's role holds (the first of all when it holds
    none, so the refusal names it), for an access that any of them allows."""
    user = requester.user
    held = [p for p in permissions if user is not None and user.has_perm(f"access.{p.value}")]
    return (held or list(permissions))[0]


def authorize_standing(
    requester: Requester, permissions: Sequence[Permission], *, action: str, query: dict[str, Any]
) -> None:
    """Refuse (audited, committed) a person who may not use a page of any of `permissions` at
    all: account disabled or locked, a role with none of them, training lapsed (438.7 asks it
    of every user, administrators included). Purpose, second factor and a partner's agreement
    are then asked by the page's own gated query or action, which knows what it discloses."""
    user = requester.user
    if requester.kind is not PrincipalKind.PERSON or user is None:
        raise AccessDenied(f"{requester.username} may not use the web pages")
    problem = account_problem(user)
    if problem is None and not any(user.has_perm(f"access.{p.value}") for p in permissions):
        problem = f"your role may not {' or '.join(p.label.lower() for p in permissions)}"
    problem = problem or training_problem(user)
    if problem:
        with transaction.atomic():
            record_event(
                **_event_fields(requester, None, action, query),
                outcome=Outcome.DENIED,
                reason=problem,
            )
        raise AccessDenied(problem)


def _names_requester(requester: Requester, subject: object) -> bool:
    """True when the action's subject (a username or a User) is the requester's own account."""
    if requester.user is None:
        return False
    name = subject.get_username() if isinstance(subject, User) else subject
    return name == requester.user.get_username()


def change(
    permission: Permission, action: str, *, own_account: bool = False
) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Make a function an administrative action: it takes `requester=` and asks the gate
    (permission, account, training, second factor; partners refused) before its body runs in one
    transaction. With `own_account`, a person acting on their own account (first argument: the
    username or the User) needs only an account in good standing, not the permission.

    The refusal is audited and committed before the body's transaction opens, so it survives.
    """

    def decorate(body: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(body)
        def action_body(*args: Any, requester: Requester, **kwargs: Any) -> T:
            subject = args[0] if args else ""
            query = {"subject": str(subject)} if args else {}
            if own_account and _names_requester(requester, subject):
                problem = account_problem(requester.acting_user)
                if problem:
                    with transaction.atomic():
                        record_event(
                            **_event_fields(requester, ADMINISTRATIVE, action, query),
                            outcome=Outcome.DENIED,
                            reason=problem,
                        )
                    raise AccessDenied(problem)
            else:
                authorize(
                    requester,
                    permission=permission,
                    justification=ADMINISTRATIVE,
                    action=action,
                    query=query,
                )
            with transaction.atomic():
                return body(*args, requester=requester, **kwargs)

        return action_body

    return decorate


def record_not_found(
    requester: Requester,
    justification: Justification | None,
    *,
    action: str,
    query: dict[str, Any],
    reason: str,
) -> None:
    """Audit a lookup of an id that names nothing (committed on its own, before the 404)."""
    _record_on_its_own(requester, justification, action, query, Outcome.NOT_FOUND, reason)


def record_refusal(
    requester: Requester, *, action: str, query: dict[str, Any], reason: str
) -> None:
    """Audit a change an action refused for a reason of its own (committed on its own)."""
    _record_on_its_own(requester, ADMINISTRATIVE, action, query, Outcome.DENIED, reason)


def _record_on_its_own(
    requester: Requester,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    outcome: str,
    reason: str,
) -> None:
    """One audit event in a transaction of its own, so it stays although the caller raises."""
    with transaction.atomic():
        record_event(
            **_event_fields(requester, justification, action, query),
            outcome=outcome,
            reason=reason,
        )


def record_change(
    requester: Requester,
    justification: Justification | None,
    *,
    action: str,
    query: dict[str, Any],
    record_ids: Sequence[str] = (),
    record_count: int | None = None,
    agreement: Agreement | None = None,
    reason: str = "",
) -> AuditEvent:
    """Audit an allowed change (in the caller's transaction) with everything the gate knows:
    who, purpose, case number, channel and client address; a partner's also in the sharing log."""
    event = record_event(
        **_event_fields(requester, justification, action, query),
        outcome=Outcome.ALLOWED,
        record_ids=record_ids,
        record_count=record_count,
        reason=reason,
    )
    if agreement is not None:
        record_disclosure(agreement, event, what=action, recipient=_recipient(justification))
    return event


def _recipient(justification: Justification | None) -> str:
    """Who received a partner's data, when it is not the event's user: the person an access
    on behalf of another agency was made for."""
    return justification.on_behalf_of_person.strip() if justification is not None else ""


def run_gated(
    requester: Requester,
    *,
    permission: Permission,
    justification: Justification | None,
    action: str,
    query: dict[str, Any],
    fetch: Callable[[], Gated[T]],
    after_audit: Callable[[AuditEvent], None] | None = None,
    breadth: Breadth | None = None,
) -> T:
    """Check the requester, run `fetch`, and audit the access in the same transaction.

    `after_audit` runs in that transaction too, with the event, for a caller that must link
    its own record to it (e.g. a records release). A partner's access is also written to the
    sharing log, naming the agreement it came under.

    `breadth` describes how broad the query is: beyond the department's thresholds it runs
    only under an approval another person gave (`approvals`), once, and its event names both.
    """
    agreement = authorize(
        requester, permission=permission, justification=justification, action=action, query=query
    )
    approval = None
    if breadth is not None:
        approval = _approval_for(requester, permission, justification, action, query, breadth)
    audited = query
    if approval is not None:
        audited = {**query, "approval": approval.pk, "approved_by": approval.decided_by_name}
    try:
        with transaction.atomic():
            with time_budget(action):
                result = fetch_on_replica(permission, fetch)
            if approval is not None and not holds.mark_run(approval):
                raise AccessDenied(f"approval: #{approval.pk} was already run")
            if breadth is not None and approval is None and breadth.kind is BreadthKind.EXPORT:
                counted = dataclasses.replace(breadth, rows=len(result.record_ids))
                why = holds.broad_reason(counted)
                if why:
                    raise _BroadOnceCounted(counted, why)
            event = record_event(
                **_event_fields(requester, justification, action, audited),
                outcome=Outcome.ALLOWED,
                record_ids=result.record_ids,
                record_count=result.record_count,
            )
            if agreement is not None:
                record_disclosure(
                    agreement,
                    event,
                    what=f"{action}: {event.record_count} records",
                    recipient=_recipient(justification),
                )
            if after_audit is not None:
                after_audit(event)
    except RecordNotFound as missing:
        record_not_found(requester, justification, action=action, query=query, reason=str(missing))
        raise
    except _BroadOnceCounted as broad:
        _hold(requester, permission, justification, action, query, broad.breadth, broad.why)
    return result.value

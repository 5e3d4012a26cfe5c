"""Every change to a records request (Policy 438.9): intake, extension, decision, release.

Each is checked by the access gate (role, account, training) and audited in the transaction
that makes it. What a release hands over leaves only through the evidence path of Policy 438.4:
the chosen reads are held under the request's number, then exported with a manifest, so the
disclosure is one gated, audited access like any other, and the release names its audit event.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.records.models import (
    RELEASE_BASES,
    WITHHOLDING_BASES,
    Decision,
    DecisionAmendment,
    LegalBasis,
    RecordsRelease,
    RecordsRequest,
    RequestKind,
)
from platekeeper.server.records.queries import RELEASE_PERMISSIONS, RecordsError, stored_request
from platekeeper.server.retention.actions import HoldSelection, place_hold
from platekeeper.server.retention.evidence import Progress, export_case
from platekeeper.server.retention.models import HoldReason
from platekeeper.server.sharing.eligibility import HOME_JURISDICTION
from platekeeper.server.sharing.log import record_disclosure
from platekeeper.server.sharing.models import Scope
from platekeeper.server.sharing.scope import agreements_in_effect

#: The CPRA's time to answer (Gov. Code §7922.535(a)), and its one extension (§7922.535(b)).
ANSWER_WITHIN = dt.timedelta(days=10)
EXTENSION = dt.timedelta(days=14)
#: The purpose code every release is gated and audited under (see access/setup.py).
RELEASE_PURPOSE = "records_release"
#: Arbitrary constant naming the PostgreSQL advisory lock that hands out request numbers.
_NUMBER_LOCK = 438_009
_AGENCIES_FOR_OFFICIAL_PURPOSES = {AgencyType.LAW_ENFORCEMENT, AgencyType.PROSECUTORIAL}


# --- intake ------------------------------------------------------------------------------


def take_in_request(
    requester: Requester,
    *,
    requester_name: str,
    requester_contact: str,
    kind: str,
    data_sought: str,
    received_on: dt.date | None = None,
    agency: Agency | None = None,
) -> RecordsRequest:
    """Record a request as received and route it to the Support Services Division Commander.

    It gets its number now, and its due date: 10 calendar days after it was received.
    """
    today = timezone.localdate()
    received_on = received_on or today
    query = {"kind": kind, "received_on": received_on.isoformat()}
    _authorize(requester, Permission.MANAGE_RECORDS_REQUESTS, "records.intake", query)
    fields = {
        "requester_name": _required(requester_name, "requester_name", 200),
        "requester_contact": _required(requester_contact, "requester_contact", 300),
        "kind": _choice(RequestKind, kind, "kind"),
        "data_sought": _required(data_sought, "data_sought", 10_000),
    }
    if received_on > today:
        raise RecordsError("received_on: cannot be in the future")
    if kind == RequestKind.OTHER_AGENCY and agency is None:
        raise RecordsError("agency: a request from another agency names that agency")
    with transaction.atomic():
        serial = _next_serial(today.year)
        row = RecordsRequest.objects.create(
            **fields,
            number=f"RR-{today.year}-{serial:04d}",
            year=today.year,
            serial=serial,
            agency=agency,
            received_on=received_on,
            taken_in_by=requester.acting_user,
            taken_in_at=timezone.now(),
            routed_to=Role.AUDITOR.value,
            due_on=received_on + ANSWER_WITHIN,
        )
        _audit(requester, "records.intake", row, **query, due_on=row.due_on.isoformat())
    return row


def _next_serial(year: int) -> int:
    """The next number of the year; on PostgreSQL two intakes at once wait for each other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_NUMBER_LOCK])
    last = RecordsRequest.objects.filter(year=year).aggregate(last=models.Max("serial"))["last"]
    return (last or 0) + 1


# --- deadline and decision ---------------------------------------------------------------


def extend_deadline(requester: Requester, number: str, *, reason: str) -> RecordsRequest:
    """Give the department 14 more days, once, with the reason told to the requester.

    The CPRA allows the extension only in unusual circumstances and only by notice within the
    first period, so it is refused once the request is decided, extended or already late.
    """
    _authorize(requester, Permission.MANAGE_RECORDS_REQUESTS, "records.extend", {"request": number})
    reason = _required(reason, "reason", 300)
    with transaction.atomic():
        row = _locked(number)
        if row.extended:
            raise RecordsError(
                f"extension: {row.number} was already extended on {row.extended_at:%Y-%m-%d}; "
                "the CPRA allows one extension"
            )
        if row.decision:
            raise RecordsError(f"extension: {row.number} is already decided")
        if timezone.localdate() > row.due_on:
            raise RecordsError(
                f"extension: {row.number} was due on {row.due_on:%Y-%m-%d}; an extension must "
                "be given before the deadline passes"
            )
        row.due_on += EXTENSION
        row.extension_reason = reason
        row.extended_by, row.extended_at = requester.user, timezone.now()
        row.save()
        _audit(requester, "records.extend", row, reason=reason, due_on=row.due_on.isoformat())
    return row


def decide_request(
    requester: Requester,
    number: str,
    *,
    decision: str,
    legal_basis: str,
    note: str = "",
    withholding_basis: str = "",
) -> RecordsRequest:
    """The commander's decision: release, release in part, or deny, always with a legal basis
    that fits it (`decision_problem`); a release in part names the basis of what it withholds.

    Only the Support Services Division Commander (the Auditor role) decides (438.9), once; a
    later change is an amendment with its reason (`amend_decision`).
    """
    query = {"request": number, "decision": decision, "legal_basis": legal_basis}
    _authorize(requester, Permission.DECIDE_RECORDS_REQUESTS, "records.decide", query)
    note = note.strip()
    with transaction.atomic():
        row = _locked(number)
        if row.decision:
            raise RecordsError(
                f"decision: {row.number} was already decided ({row.get_decision_display()}) "
                f"on {row.decided_at:%Y-%m-%d}; amend it with a reason instead"
            )
        _check_decision(row, decision, legal_basis, withholding_basis, note)
        _set_decision(row, requester, decision, legal_basis, withholding_basis, note)
        _audit(
            requester,
            "records.decide",
            row,
            decision=decision,
            legal_basis=legal_basis,
            withholding_basis=withholding_basis,
        )
    return row


def amend_decision(
    requester: Requester,
    number: str,
    *,
    reason: str,
    decision: str,
    legal_basis: str,
    note: str = "",
    withholding_basis: str = "",
) -> RecordsRequest:
    """Change a decided request's decision, for a reason that is kept: the decision as it stood
    is copied to the request's amendment history and the change is audited with both.

    The commander's act, like the decision. A request whose reads were already released cannot
    be amended to a denial: what left cannot be called back, and the record must not pretend it.
    """
    query = {"request": number, "decision": decision, "legal_basis": legal_basis}
    _authorize(requester, Permission.DECIDE_RECORDS_REQUESTS, "records.amend", query)
    reason = _required(reason, "reason", 500)
    note = note.strip()
    with transaction.atomic():
        row = _locked(number)
        if not row.decision:
            raise RecordsError(f"decision: {row.number} is not decided yet; decide it instead")
        _check_decision(row, decision, legal_basis, withholding_basis, note)
        before = (row.decision, row.legal_basis, row.withholding_basis, row.decision_note)
        if before == (decision, legal_basis, withholding_basis, note):
            raise RecordsError("decision: the amendment changes nothing")
        if decision == Decision.DENY and row.releases.exists():
            raise RecordsError(
                f"decision: reads of {row.number} were already released; a denial cannot undo "
                "that (amend to a release in part to withhold the rest)"
            )
        DecisionAmendment.objects.create(
            request=row,
            decision=row.decision,
            legal_basis=row.legal_basis,
            withholding_basis=row.withholding_basis,
            decision_note=row.decision_note,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            reason=reason,
            amended_by=requester.acting_user,
            amended_at=timezone.now(),
        )
        _set_decision(row, requester, decision, legal_basis, withholding_basis, note)
        _audit(
            requester,
            "records.amend",
            row,
            reason=reason,
            decision=decision,
            legal_basis=legal_basis,
            withholding_basis=withholding_basis,
            previous={
                "decision": before[0],
                "legal_basis": before[1],
                "withholding_basis": before[2],
            },
        )
    return row


def decision_problem(
    row: RecordsRequest, decision: str, legal_basis: str, withholding_basis: str, note: str
) -> str | None:
    """Why this decision would contradict itself or the request, naming the field; None if fine.

    A release rests on a basis for releasing, a denial on one for withholding, and a release in
    part on one of each (the second for what it withholds); `other` fits either, explained in
    the note. Official purposes fit only a law-enforcement or prosecutorial agency's request.
    """
    if decision not in Decision.values:
        return f"decision: {decision!r} is not one of {', '.join(Decision.values)}"
    wording = Decision(decision).label.lower()
    if not legal_basis:
        return f"legal_basis: a decision to {wording} needs its legal basis"
    for field, basis in (("legal_basis", legal_basis), ("withholding_basis", withholding_basis)):
        if basis and basis not in LegalBasis.values:
            return f"{field}: {basis!r} is not one of {', '.join(LegalBasis.values)}"
    withholds = decision == Decision.DENY
    fitting = WITHHOLDING_BASES if withholds else RELEASE_BASES
    if legal_basis != LegalBasis.OTHER and legal_basis not in fitting:
        kind = "withholds" if withholds else "releases"
        return (
            f"legal_basis: {LegalBasis(legal_basis).label.split(':')[0]} is no ground for a "
            f"decision to {wording}; a decision that {kind} rests on one of "
            f"{', '.join(sorted(fitting))} (or other, explained in the note)"
        )
    if decision == Decision.PARTIAL:
        if not withholding_basis:
            return "withholding_basis: a release in part names the law for what it withholds"
        if withholding_basis != LegalBasis.OTHER and withholding_basis not in WITHHOLDING_BASES:
            return (
                f"withholding_basis: {LegalBasis(withholding_basis).label.split(':')[0]} is no "
                f"ground for withholding; one of {', '.join(sorted(WITHHOLDING_BASES))} or other"
            )
    elif withholding_basis:
        return f"withholding_basis: only a release in part has one, not a decision to {wording}"
    if LegalBasis.OTHER in (legal_basis, withholding_basis) and not note:
        return "note: explain the legal basis when it is 'other'"
    if legal_basis == LegalBasis.OFFICIAL_PURPOSE and not _for_official_purposes(row):
        return (
            "legal_basis: official purposes apply only to a law-enforcement or "
            "prosecutorial agency's request"
        )
    return None


def _check_decision(
    row: RecordsRequest, decision: str, legal_basis: str, withholding_basis: str, note: str
) -> None:
    problem = decision_problem(row, decision, legal_basis, withholding_basis, note)
    if problem:
        raise RecordsError(problem)


def _set_decision(
    row: RecordsRequest,
    requester: Requester,
    decision: str,
    legal_basis: str,
    withholding_basis: str,
    note: str,
) -> None:
    row.decision, row.legal_basis, row.decision_note = decision, legal_basis, note
    row.withholding_basis = withholding_basis
    row.decided_by, row.decided_at = requester.acting_user, timezone.now()
    row.save()


def _for_official_purposes(row: RecordsRequest) -> bool:
    return row.agency is not None and row.agency.type in _AGENCIES_FOR_OFFICIAL_PURPOSES


# --- release -----------------------------------------------------------------------------


def release_records(
    requester: Requester,
    number: str,
    *,
    selection: HoldSelection,
    out: Path,
    export_name: str = "",
    progress: Progress | None = None,
) -> RecordsRelease:
    """Hand over the chosen reads of a request decided for release, through the evidence path.

    The records custodian's step: it asks the gate for both `RELEASE_PERMISSIONS`, which only
    the custodian's role holds (the commander decides, the custodian releases).

    The reads are held under the request's number (438.4: subject to a lawful action to produce
    records), then the request's held reads are exported to `out` as evidence is, with its
    manifest; a later release of the same request exports every read held for it so far. The
    release is recorded in the export's audited transaction, naming its audit event, and in the
    sharing log when an agreement with the requesting agency covers reads on request.
    `export_name` is what the release log shows instead of `out` (e.g. a download's name).
    """
    handle, export = RELEASE_PERMISSIONS
    _authorize(requester, handle, "records.release", {"request": number})
    row = stored_request(number)
    # The request's own words travel with the release, so the gate screens them for a
    # prohibited purpose (access.prohibited) as it screens a search's note.
    screened = {"request": number, "request_text": row.data_sought}
    _authorize(requester, export, "records.release", screened)
    _check_releasable(row)
    hold = place_hold(
        requester,
        purpose=RELEASE_PURPOSE,
        case_number=row.number,
        reason=_hold_reason(row),
        requested_by=_recipient(row),
        selection=selection,
        note=f"Records request {row.number}",
    )
    released: list[RecordsRelease] = []

    def record_release(event: AuditEvent) -> None:
        release = RecordsRelease.objects.create(
            request=row,
            released_at=event.occurred_at,
            released_by=requester.acting_user,
            hold=hold,
            export_path=export_name or event.query["out"],
            read_count=event.record_count,
            manifest_sha256=event.query["manifest_sha256"],
            audit_event_id=event.pk,
        )
        _log_sharing(row, event)
        _audit(requester, "records.release", row, export_event=event.pk, reads=release.read_count)
        released.append(release)

    export_case(
        requester,
        case_number=row.number,
        purpose=RELEASE_PURPOSE,
        out=out,
        progress=progress,
        after_audit=record_release,
    )
    return released[0]


def _check_releasable(row: RecordsRequest) -> None:
    """Release only what the commander decided to release, and to whom the law allows."""
    if not row.decision:
        raise RecordsError(
            f"decision: {row.number} is not decided yet; the Support Services Division "
            "Commander decides before anything is released"
        )
    if row.decision == Decision.DENY:
        raise RecordsError(f"decision: {row.number} was denied; nothing may be released")
    if row.legal_basis == LegalBasis.COMPELLED:
        return
    if row.agency is None or row.agency.type == AgencyType.PRIVATE:
        raise RecordsError(
            f"legal_basis: ALPR data goes only to public agencies (Civil Code §1798.90.55(b), "
            f"Policy 438.8); releasing it to {row.requester_name} needs a subpoena or court order"
        )
    if row.agency.jurisdiction != HOME_JURISDICTION:
        raise RecordsError(
            f"legal_basis: {row.agency.name} is not a California agency; California agencies "
            "may not share ALPR data out of state or with federal agencies (Attorney General "
            "bulletin 2023-DLE-06) unless a court order compels it"
        )


def _hold_reason(row: RecordsRequest) -> HoldReason:
    if row.kind == RequestKind.SUBPOENA:
        return HoldReason.DISCOVERY_REQUEST
    return HoldReason.OTHER_LAWFUL_ACTION


def _recipient(row: RecordsRequest) -> str:
    return f"{row.requester_name} ({row.agency.name})" if row.agency else row.requester_name


def _log_sharing(row: RecordsRequest, event: AuditEvent) -> None:
    """Write the sharing log when the reads go to a partner under an agreement covering them."""
    if row.agency_id is None:
        return
    covering = [
        agreement
        for agreement in agreements_in_effect(row.agency_id, timezone.localdate())
        if Scope.READS_ON_REQUEST.value in agreement.scopes
    ]
    if covering:
        what = f"records request {row.number}: {event.record_count} reads"
        record_disclosure(covering[0], event, what=what, recipient=row.requester_name)


# --- helpers -----------------------------------------------------------------------------


def _authorize(
    requester: Requester, permission: Permission, action: str, query: dict[str, Any]
) -> None:
    """Refuse (audited) unless the role, account and training allow this change now."""
    authorize(
        requester,
        permission=permission,
        justification=ADMINISTRATIVE,
        action=action,
        query=query,
    )


def _audit(requester: Requester, action: str, row: RecordsRequest, **query: Any) -> AuditEvent:
    return record_event(
        actor=Actor.of(requester.user),
        action=action,
        case_number=row.number,
        query={"request": row.number, **query},
        channel=requester.channel,
        client_address=requester.client_address,
    )


def _locked(number: str) -> RecordsRequest:
    """The request, locked for this transaction so two changes cannot cross."""
    row = RecordsRequest.objects.select_for_update().filter(number=number.strip().upper()).first()
    if row is None:
        raise RecordsError(f"number: no records request {number!r}")
    return row


def _required(value: str, field: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise RecordsError(f"{field}: is required")
    if len(value) > limit:
        raise RecordsError(f"{field}: at most {limit} characters")
    return value


def _choice(choices: type[models.TextChoices], value: str, field: str) -> str:
    if value not in choices.values:
        raise RecordsError(f"{field}: {value!r} is not one of {', '.join(choices.values)}")
    return value

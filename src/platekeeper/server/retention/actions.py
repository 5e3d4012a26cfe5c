"""Every change the retention app makes to its schedule and to evidence holds, all audited.

The purge, which deletes what is past its period, lives in `retention.purge`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.plates import InvalidPlate, normalize_plate
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Gated,
    Justification,
    Requester,
    authorize,
    change,
    held_permission,
    record_change,
    record_refusal,
    run_gated,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.reads.models import Read
from platekeeper.server.retention.models import (
    Hold,
    HoldItem,
    HoldReason,
    RetentionSettings,
)
from platekeeper.server.retention.queries import (
    MINIMUM_DAYS,
    RetentionKind,
    current_settings,
)

#: Arbitrary constant naming the PostgreSQL advisory lock that orders hold placement against
#: purge batches, so a read cannot be deleted between a hold choosing it and the hold committing.
_HOLD_LOCK = 438_004


class RetentionError(PlatekeeperError, ValueError):
    """A retention change was refused; the message says why and how to proceed."""


# --- The schedule ------------------------------------------------------------------------


@change(Permission.MANAGE_RETENTION, "retention.settings")
def set_retention(
    changes: Mapping[RetentionKind, int], *, requester: Requester, override_reason: str = ""
) -> RetentionSettings:
    """Change retention periods. A period below the policy minimum needs `override_reason`.

    The gate asks for the Records Custodian's permission (or the console) before anything runs.

    The audit log must outlive the data it describes, so its period may never be shorter than
    the longest data period, override or not. The override reason is kept on the settings (and
    shown wherever the schedule is) for as long as any period stays below its minimum.
    """
    row = RetentionSettings.objects.select_for_update().get(pk=current_settings().pk)
    before = {kind.value: getattr(row, kind.field) for kind in RetentionKind}
    for kind, days in changes.items():
        if days < 1:
            raise RetentionError(f"{kind.value}: must be at least 1 day")
        setattr(row, kind.field, days)
    below = [kind for kind in RetentionKind if getattr(row, kind.field) < MINIMUM_DAYS[kind]]
    newly_below = [kind for kind in below if kind in changes]
    override_reason = override_reason.strip()
    if newly_below and not override_reason:
        names = ", ".join(
            f"{k.value} ({getattr(row, k.field)} < {MINIMUM_DAYS[k]})" for k in newly_below
        )
        raise RetentionError(
            f"{names}: below the minimum of Policy 438.4 (Government Code §34090.6); "
            "give --override-reason to record why"
        )
    longest = max(getattr(row, kind.field) for kind in RetentionKind if kind.is_alpr_data)
    if row.audit_days < longest:
        raise RetentionError(
            f"audit: {row.audit_days} days is shorter than the longest data period ({longest} "
            "days); the audit log must outlive the data it describes"
        )
    now = timezone.now()
    if not below:
        row.override_reason, row.override_by, row.override_at = "", "", None
    elif override_reason:
        row.override_reason, row.override_by, row.override_at = (
            override_reason[:300],
            requester.username,
            now,
        )
    row.updated_at, row.updated_by = now, requester.username
    row.save()
    after = {kind.value: getattr(row, kind.field) for kind in RetentionKind}
    record_change(
        requester,
        ADMINISTRATIVE,
        action="retention.settings",
        reason=override_reason,
        query={"before": before, "after": after, "override": bool(override_reason)},
    )
    return row


# --- Evidence holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class HoldSelection:
    """Which reads a hold keeps: ids chosen from a search, or every read of a plate in a window."""

    read_ids: tuple[uuid.UUID, ...] = ()
    plate: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None

    def describe(self) -> dict[str, object]:
        if self.read_ids:
            return {"read_ids": len(self.read_ids)}
        return {
            "plate": self.plate,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


def place_hold(
    requester: Requester,
    *,
    purpose: str,
    case_number: str,
    reason: HoldReason,
    requested_by: str,
    selection: HoldSelection,
    note: str = "",
) -> Hold:
    """Hold reads for a case so the purge keeps them; choosing them is a gated, audited access."""
    case_number = case_number.strip()
    if not case_number:
        raise RetentionError("case: a hold needs a case number")
    if not requested_by.strip():
        raise RetentionError("requested_by: say who asked for the hold (e.g. DDA J. Doe)")
    selection = _checked_selection(selection)

    def fetch() -> Gated[Hold]:
        lock_against_purge()
        reads = Read.objects.all()
        if selection.read_ids:
            reads = reads.filter(id__in=selection.read_ids)
        else:
            reads = reads.filter(plate_normalized=selection.plate)
            if selection.start:
                reads = reads.filter(captured_at__gte=selection.start)
            if selection.end:
                reads = reads.filter(captured_at__lt=selection.end)
        chosen = list(reads.order_by("captured_at").values_list("id", "captured_at"))
        if not chosen:
            raise RetentionError(f"no stored reads match {selection.describe()}; nothing held")
        hold = Hold.objects.create(
            case_number=case_number,
            reason=reason,
            requested_by=requested_by.strip()[:200],
            note=note.strip()[:500],
            selection=selection.describe(),
            placed_by=requester.acting_user,
            placed_at=timezone.now(),
        )
        HoldItem.objects.bulk_create(
            HoldItem(hold=hold, read_id=read_id, captured_at=captured)
            for read_id, captured in chosen
        )
        return Gated(hold, record_ids=[str(read_id) for read_id, _ in chosen])

    return run_gated(
        requester,
        permission=Permission.PLACE_HOLDS,
        justification=Justification(purpose=purpose, case_number=case_number),
        action="retention.hold_place",
        query={
            "case": case_number,
            "reason": str(reason),
            "requested_by": requested_by.strip(),
            **({"note": note.strip()} if note.strip() else {}),
            **selection.describe(),
        },
        fetch=fetch,
    )


def _checked_selection(selection: HoldSelection) -> HoldSelection:
    if selection.read_ids:
        return selection
    if not selection.plate:
        raise RetentionError("give read ids, or a plate (with an optional window)")
    try:
        plate = normalize_plate(selection.plate)
    except InvalidPlate as error:
        raise RetentionError(f"plate: {error}") from None
    if selection.start and selection.end and selection.start >= selection.end:
        raise RetentionError("from: must be before to")
    return HoldSelection(plate=plate, start=selection.start, end=selection.end)


def release_holds(case_number: str, *, requester: Requester, reason: str) -> list[Hold]:
    """Release every standing hold of a case; its reads then age out like any other.

    A Records Custodian may release any hold; whoever may place holds may release their own.
    The gate asks for one of those permissions first; a refusal of the action's own (no reason,
    no hold, another person's hold) is audited before it is raised.
    """
    case_number = case_number.strip()
    query: dict[str, Any] = {"case": case_number}
    permission = held_permission(requester, [Permission.MANAGE_RETENTION, Permission.PLACE_HOLDS])
    authorize(
        requester,
        permission=permission,
        justification=ADMINISTRATIVE,
        action="retention.hold_release",
        query=query,
    )
    user = requester.acting_user
    with transaction.atomic():
        holds = list(
            Hold.objects.select_for_update().filter(
                case_number=case_number, released_at__isnull=True
            )
        )
        refusal = _release_refusal(requester, permission, holds, reason, case_number)
        if refusal is None:
            now = timezone.now()
            count = HoldItem.objects.filter(hold__in=holds).count()
            for hold in holds:
                hold.released_at, hold.released_by, hold.release_reason = now, user, reason.strip()
                hold.save(update_fields=["released_at", "released_by", "release_reason"])
            record_change(
                requester,
                Justification(case_number=case_number, administrative=True),
                action="retention.hold_release",
                reason=reason.strip(),
                query={**query, "holds": [h.pk for h in holds]},
                record_count=count,
            )
            return holds
    record_refusal(requester, action="retention.hold_release", query=query, reason=refusal)
    raise RetentionError(refusal)


def _release_refusal(
    requester: Requester,
    permission: Permission,
    holds: Sequence[Hold],
    reason: str,
    case: str,
) -> str | None:
    if not reason.strip():
        return "reason: releasing a hold needs a reason"
    if not holds:
        return f"case {case!r} has no standing hold"
    if permission is Permission.MANAGE_RETENTION:
        return None
    if all(hold.placed_by_id == requester.acting_user.pk for hold in holds):
        return None
    return "only a Records Custodian, or whoever placed every hold of the case, may release it"


def lock_against_purge() -> None:
    """Order hold placement and purge batches (SQLite: already one writer at a time)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_HOLD_LOCK])

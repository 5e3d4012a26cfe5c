"""Every change to alerts: raising them at ingest, and each verification step (Policy 438.3(f)).

A hit is not probable cause: an officer records a visual check (the captured plate, state and
vehicle against the entry) and a CLETS/NCIC check (is the entry still on file) before any
enforcement action can be recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import (
    Justification,
    RecordNotFound,
    Requester,
    authorize,
    record_change,
    record_not_found,
)
from platekeeper.server.access.roles import Permission
from platekeeper.server.alerts.matcher_cache import current_matcher
from platekeeper.server.alerts.models import (
    CLOSED_STATUSES,
    Alert,
    AlertAction,
    AlertStatus,
    CletsCheck,
    VisualCheck,
)
from platekeeper.server.alerts.queries import patrol_or
from platekeeper.server.common.bulk import insert_ignoring_duplicates
from platekeeper.server.dispatch.actions import queue_deliveries
from platekeeper.server.dispatch.models import DispatchEvent
from platekeeper.server.hotlists.queries import entries_by_id
from platekeeper.server.reads.models import Read


class AlertError(PlatekeeperError, ValueError):
    """A step on an alert was refused; the message says why."""


@dataclass(frozen=True)
class RaisedAlert:
    """What the ingestion answer says about an alert a batch raised."""

    id: int
    read_id: str
    plate: str
    hotlist: str
    entry_plate: str
    match_kind: str


def raise_alerts(reads: Sequence[Read]) -> list[RaisedAlert]:
    """Match freshly stored reads against the hotlists and create one alert per (read, entry).

    Runs inside the ingestion transaction, before the ingest call returns.
    """
    matcher = current_matcher()
    if not matcher.size:
        return []
    hits = [
        (read, match)
        for read in reads
        for match in matcher.match(read.plate_normalized, read.state)
    ]
    if not hits:
        return []
    now = timezone.now()
    entries = entries_by_id({match.entry_key for _, match in hits})
    alerts = []
    for read, match in hits:
        entry = entries.get(match.entry_key)
        if entry is None or not entry.hotlist.active:
            continue
        if entry.expires_at and entry.expires_at < read.captured_at:
            continue
        alerts.append(
            Alert(
                read=read,
                entry=entry,
                hotlist=entry.hotlist,
                hotlist_name=entry.hotlist.name,
                category=entry.hotlist.category,
                priority=entry.hotlist.priority,
                plate=read.plate_normalized,
                entry_plate=entry.plate_normalized,
                entry_state=entry.state,
                entry_description=entry.vehicle_description,
                entry_reason=entry.reason,
                entry_case_number=entry.case_number,
                entry_ncic_number=entry.ncic_number,
                entry_entered_at=entry.entered_at,
                match_kind=match.kind.value,
                created_at=now,
            )
        )
    insert_ignoring_duplicates(alerts)
    stored = list(
        Alert.objects.filter(read_id__in={a.read_id for a in alerts}, created_at=now).values_list(
            "id", "read_id", "plate", "hotlist_name", "entry_plate", "match_kind", "hotlist_id"
        )
    )
    queue_deliveries([(pk, hotlist_id) for pk, *_, hotlist_id in stored], DispatchEvent.RAISED)
    return [
        RaisedAlert(pk, str(read_id), plate, hotlist, entry_plate, kind)
        for pk, read_id, plate, hotlist, entry_plate, kind, _ in stored
    ]


def _locked(alert_id: int) -> Alert:
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise RecordNotFound(f"alert_id: no alert {alert_id}")
    return alert


def _open(alert: Alert) -> None:
    if alert.status in CLOSED_STATUSES:
        raise AlertError(f"alert: already closed as {alert.get_status_display().lower()}")
    if alert.status == AlertStatus.NEW:
        alert.status = AlertStatus.ACKNOWLEDGED


def _step(
    requester: Requester,
    justification: Justification | None,
    alert_id: int,
    action: str,
    change: Callable[[Alert], tuple[str, str, list[str]]],
    note: str = "",
) -> Alert:
    """Ask the gate, then change the alert and record the step in its history and in the audit
    log (purpose, case number, channel, client address), all in one transaction.

    `change` checks and applies the step to the locked alert and says (value, note, fields).
    The step's `note` travels in the audited query, where the gate screens it.
    """
    stated = patrol_or(justification)
    query: dict[str, Any] = {"alert": alert_id, **({"note": note} if note.strip() else {})}
    agreement = authorize(
        requester,
        permission=Permission.ACT_ON_ALERTS,
        justification=stated,
        action=f"alerts.{action}",
        query=query,
    )
    try:
        with transaction.atomic():
            alert = _locked(alert_id)
            value, note, fields = change(alert)
            alert.save(update_fields=fields)
            AlertAction.objects.create(
                alert=alert,
                action=action,
                value=value,
                note=note,
                user=requester.acting_user,
                at=timezone.now(),
            )
            record_change(
                requester,
                stated,
                action=f"alerts.{action}",
                query={**query, "value": value, "plate": alert.plate},
                record_ids=[str(alert.read_id)],
                agreement=agreement,
            )
    except RecordNotFound as missing:
        record_not_found(
            requester, stated, action=f"alerts.{action}", query=query, reason=str(missing)
        )
        raise
    return alert


def acknowledge(
    alert_id: int, *, requester: Requester, justification: Justification | None = None
) -> Alert:
    def change(alert: Alert) -> tuple[str, str, list[str]]:
        _open(alert)
        return "", "", ["status"]

    return _step(requester, justification, alert_id, "acknowledge", change)


def record_visual_check(
    alert_id: int,
    result: str,
    *,
    requester: Requester,
    justification: Justification | None = None,
    note: str = "",
) -> Alert:
    """The officer compared the captured plate image, state and vehicle with the entry."""
    return _record_check(
        alert_id, "visual_check", result, VisualCheck.values, requester, justification, note
    )


def record_clets_check(
    alert_id: int,
    result: str,
    *,
    requester: Requester,
    justification: Justification | None = None,
    note: str = "",
) -> Alert:
    """The officer queried CLETS/NCIC: is the entry still on file, and what did it say."""
    return _record_check(
        alert_id, "clets_check", result, CletsCheck.values, requester, justification, note
    )


def _record_check(
    alert_id: int,
    check: str,
    result: str,
    results: list[str],
    requester: Requester,
    justification: Justification | None,
    note: str,
) -> Alert:
    """Record one of the two checks (the alert field and the step share the name `check`)."""
    if result not in results:
        raise AlertError(f"result: must be one of {', '.join(results)}")

    def change(alert: Alert) -> tuple[str, str, list[str]]:
        _open(alert)
        setattr(alert, check, result)
        return result, note, [check, "status"]

    return _step(requester, justification, alert_id, check, change, note)


def close_alert(
    alert_id: int,
    outcome: str,
    *,
    requester: Requester,
    note: str,
    justification: Justification | None = None,
) -> Alert:
    """Record the outcome: verified (confirmed hit), misread, or not on file / cleared."""
    outcomes = sorted(CLOSED_STATUSES)
    if outcome not in outcomes:
        raise AlertError(f"outcome: must be one of {', '.join(outcomes)}")
    if not note.strip():
        raise AlertError("note: an outcome needs a note saying what was found")

    def change(alert: Alert) -> tuple[str, str, list[str]]:
        _open(alert)
        if outcome == AlertStatus.VERIFIED and not (
            alert.visual_check == VisualCheck.MATCH and alert.clets_check == CletsCheck.ON_FILE
        ):
            raise AlertError(
                "outcome: a hit is verified only after a matching visual check and a CLETS "
                "check that finds it still on file"
            )
        alert.status = outcome
        if outcome == AlertStatus.VERIFIED:
            queue_deliveries([(alert.pk, alert.hotlist_id)], DispatchEvent.VERIFIED)
        return outcome, note, ["status"]

    return _step(requester, justification, alert_id, "close", change, note)


def record_enforcement(
    alert_id: int,
    *,
    requester: Requester,
    note: str,
    justification: Justification | None = None,
) -> Alert:
    """Record an enforcement action; refused until both checks are done and the hit verified."""
    if not note.strip():
        raise AlertError("note: describe the enforcement action")

    def change(alert: Alert) -> tuple[str, str, list[str]]:
        if not (alert.visual_check and alert.clets_check):
            raise AlertError(
                "enforcement: record the visual check and the CLETS/NCIC check first "
                "(Policy 438.3(f))"
            )
        if alert.status != AlertStatus.VERIFIED:
            raise AlertError("enforcement: only a verified hit supports enforcement action")
        alert.enforcement_recorded = True
        return "", note, ["enforcement_recorded"]

    return _step(requester, justification, alert_id, "enforcement", change, note)

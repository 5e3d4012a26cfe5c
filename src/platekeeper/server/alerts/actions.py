"""Every change to alerts: raising them at ingest, and each verification step (Policy 438.3(f)).

A hit is not probable cause: an officer records a visual check (the captured plate, state and
vehicle against the entry) and a CLETS/NCIC check (is the entry still on file) before any
enforcement action can be recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.models import User
from platekeeper.server.alerts.matcher_cache import current_matcher
from platekeeper.server.alerts.models import (
    CLOSED_STATUSES,
    Alert,
    AlertAction,
    AlertStatus,
    CletsCheck,
    VisualCheck,
)
from platekeeper.server.common.bulk import insert_ignoring_duplicates
from platekeeper.server.hotlists.models import HotlistEntry
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
    entries = HotlistEntry.objects.select_related("hotlist").in_bulk(
        {match.entry_key for _, match in hits}
    )
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
    stored = Alert.objects.filter(
        read_id__in={a.read_id for a in alerts}, created_at=now
    ).values_list("id", "read_id", "plate", "hotlist_name", "entry_plate", "match_kind")
    return [RaisedAlert(pk, str(read_id), *rest) for pk, read_id, *rest in stored]


def _locked(alert_id: int) -> Alert:
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise AlertError(f"alert: no alert {alert_id}")
    return alert


def _log(alert: Alert, user: User, action: str, *, value: str = "", note: str = "") -> None:
    """Keep the step in the alert's history and in the audit log (same transaction)."""
    AlertAction.objects.create(
        alert=alert, action=action, value=value, note=note, user=user, at=timezone.now()
    )
    record_event(
        actor=Actor.of(user),
        action=f"alerts.{action}",
        query={"alert": alert.pk, "value": value, "plate": alert.plate},
        record_ids=[str(alert.read_id)],
    )


def _open(alert: Alert) -> None:
    if alert.status in CLOSED_STATUSES:
        raise AlertError(f"alert: already closed as {alert.get_status_display().lower()}")
    if alert.status == AlertStatus.NEW:
        alert.status = AlertStatus.ACKNOWLEDGED


@transaction.atomic
def acknowledge(alert_id: int, *, user: User) -> Alert:
    alert = _locked(alert_id)
    _open(alert)
    alert.save(update_fields=["status"])
    _log(alert, user, "acknowledge")
    return alert


def record_visual_check(alert_id: int, result: str, *, user: User, note: str = "") -> Alert:
    """The officer compared the captured plate image, state and vehicle with the entry."""
    return _record_check(alert_id, "visual_check", result, VisualCheck.values, user=user, note=note)


def record_clets_check(alert_id: int, result: str, *, user: User, note: str = "") -> Alert:
    """The officer queried CLETS/NCIC: is the entry still on file, and what did it say."""
    return _record_check(alert_id, "clets_check", result, CletsCheck.values, user=user, note=note)


@transaction.atomic
def _record_check(
    alert_id: int, check: str, result: str, results: list[str], *, user: User, note: str
) -> Alert:
    """Record one of the two checks (the alert field and the step share the name `check`)."""
    if result not in results:
        raise AlertError(f"result: must be one of {', '.join(results)}")
    alert = _locked(alert_id)
    _open(alert)
    setattr(alert, check, result)
    alert.save(update_fields=[check, "status"])
    _log(alert, user, check, value=result, note=note)
    return alert


@transaction.atomic
def close_alert(alert_id: int, outcome: str, *, user: User, note: str) -> Alert:
    """Record the outcome: verified (confirmed hit), misread, or not on file / cleared."""
    outcomes = sorted(CLOSED_STATUSES)
    if outcome not in outcomes:
        raise AlertError(f"outcome: must be one of {', '.join(outcomes)}")
    if not note.strip():
        raise AlertError("note: an outcome needs a note saying what was found")
    alert = _locked(alert_id)
    _open(alert)
    if outcome == AlertStatus.VERIFIED and not (
        alert.visual_check == VisualCheck.MATCH and alert.clets_check == CletsCheck.ON_FILE
    ):
        raise AlertError(
            "outcome: a hit is verified only after a matching visual check and a CLETS check "
            "that finds it still on file"
        )
    alert.status = outcome
    alert.save(update_fields=["status"])
    _log(alert, user, "close", value=outcome, note=note)
    return alert


@transaction.atomic
def record_enforcement(alert_id: int, *, user: User, note: str) -> Alert:
    """Record an enforcement action; refused until both checks are done and the hit verified."""
    if not note.strip():
        raise AlertError("note: describe the enforcement action")
    alert = _locked(alert_id)
    if not (alert.visual_check and alert.clets_check):
        raise AlertError(
            "enforcement: record the visual check and the CLETS/NCIC check first (Policy 438.3(f))"
        )
    if alert.status != AlertStatus.VERIFIED:
        raise AlertError("enforcement: only a verified hit supports enforcement action")
    alert.enforcement_recorded = True
    alert.save(update_fields=["enforcement_recorded"])
    _log(alert, user, "enforcement", note=note)
    return alert

"""API routes for alerts: list and detail (gated, audited) and the verification steps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ninja import Query, Router, Schema

from platekeeper.server.access.auth import PERSON_AUTH, PersonRequest, api_requester
from platekeeper.server.alerts import actions, queries
from platekeeper.server.alerts.queries import AlertSummary
from platekeeper.server.reads.search_api import JustificationIn

router = Router(tags=["alerts"], auth=PERSON_AUTH)


class AlertsIn(JustificationIn):
    status: str | None = None
    cursor: int | None = None
    limit: int = 50


class AlertsOut(Schema):
    results: list[AlertSummary]
    next: str | None


class StepOut(Schema):
    action: str
    value: str
    note: str
    user: str
    at: dt.datetime


@dataclass(frozen=True)
class AlertDetailOut(AlertSummary):
    history: list[StepOut]


class StepIn(Schema):
    result: str = ""
    note: str = ""


@router.get("/alerts", response=AlertsOut, summary="Alerts, newest first")
def list_alerts(request: PersonRequest, params: Query[AlertsIn]) -> dict:
    page = queries.list_alerts(
        api_requester(request),
        params.justification(),
        status=params.status,
        after_id=params.cursor,
        limit=params.limit,
    )
    return {"results": page.results, "next": page.next_cursor}


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="One alert and its history")
def get_alert(request: PersonRequest, alert_id: int, params: Query[JustificationIn]) -> dict:
    evidence = queries.alert_evidence(api_requester(request), params.justification(), alert_id)
    return {**vars(evidence.summary), "history": evidence.history}


#: The steps a client may post, each calling one action (which asks the gate itself).
_STEPS = {
    "acknowledge": lambda alert_id, who, why, body: actions.acknowledge(
        alert_id, requester=who, justification=why
    ),
    "visual-check": lambda alert_id, who, why, body: actions.record_visual_check(
        alert_id, body.result, requester=who, justification=why, note=body.note
    ),
    "clets-check": lambda alert_id, who, why, body: actions.record_clets_check(
        alert_id, body.result, requester=who, justification=why, note=body.note
    ),
    "close": lambda alert_id, who, why, body: actions.close_alert(
        alert_id, body.result, requester=who, justification=why, note=body.note
    ),
    "enforcement": lambda alert_id, who, why, body: actions.record_enforcement(
        alert_id, requester=who, justification=why, note=body.note
    ),
}


class StepResultOut(Schema):
    id: int
    status: str
    visual_check: str
    clets_check: str
    enforcement_recorded: bool


@router.post("/alerts/{alert_id}/{step}", response=StepResultOut, summary="Record a step")
def record_step(
    request: PersonRequest, alert_id: int, step: str, body: StepIn, params: Query[JustificationIn]
) -> dict:
    """Steps: `acknowledge`, `visual-check` (result match|mismatch), `clets-check` (result
    on_file|not_on_file), `close` (result verified|misread|cleared, note required),
    `enforcement` (note; only after both checks on a verified hit). Takes `purpose` and
    `case_number` like every access (without a purpose: `hotlist_alert_response`, patrol work,
    which needs no case number); each step is audited with them, the channel and the address."""
    if step not in _STEPS:
        raise actions.AlertError(f"step: must be one of {', '.join(_STEPS)}")
    alert = _STEPS[step](alert_id, api_requester(request), params.justification(), body)
    return {
        "id": alert.pk,
        "status": alert.status,
        "visual_check": alert.visual_check,
        "clets_check": alert.clets_check,
        "enforcement_recorded": alert.enforcement_recorded,
    }

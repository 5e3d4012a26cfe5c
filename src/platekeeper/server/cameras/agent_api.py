"""API routes for edge agents (device token): their copy of the hotlists, and heartbeats."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse, JsonResponse
from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from platekeeper.server.access.auth import client_address
from platekeeper.server.access.gate import Requester
from platekeeper.server.cameras.actions import HeartbeatReport, clock_problem, record_heartbeat
from platekeeper.server.cameras.auth import DeviceRequest, DeviceToken
from platekeeper.server.common.types import Count32, Count64, Moment
from platekeeper.server.hotlists.queries import agent_copy, hotlist_generation

router = Router(tags=["agent"], auth=DeviceToken())


class HeartbeatIn(Schema):
    """Each number fits its column and each time is within 1970-2100 (a reset clock still
    reports, so the camera page can flag it)."""

    model_config = ConfigDict(allow_inf_nan=False)

    agent_time: Moment = Field(description="The agent's clock when it sent this")
    version: str = Field(default="", max_length=40)
    queue_depth: Count32 = Field(default=0, description="Reads waiting in the outbox")
    oldest_queued_at: Moment | None = None
    queue_bytes: Count64 = 0
    images_evicted: Count32 = Field(default=0, description="Images dropped because disk ran full")
    rejected: Count32 = Field(default=0, description="Reads the server refused for good")
    reads_per_minute: float = Field(default=0, ge=0, le=1_000_000)
    frames: Count64 = 0
    last_error: str = Field(default="", max_length=2000)


class HeartbeatOut(Schema):
    received_at: dt.datetime
    clock_offset_seconds: float
    clock_problem: str


@router.post("/agent/heartbeat", response=HeartbeatOut, summary="An agent's health report")
def heartbeat(request: DeviceRequest, report: HeartbeatIn) -> Status:
    """Record queue depth, read rate, last error, version and the agent's clock. The answer
    says how far the agent's clock is from the server's."""
    data = report.dict(exclude={"frames"})
    health = record_heartbeat(request.auth, HeartbeatReport(**data))
    return Status(
        200,
        {
            "received_at": health.reported_at,
            "clock_offset_seconds": health.clock_offset_seconds,
            "clock_problem": clock_problem(health),
        },
    )


@router.get("/agent/hotlists", summary="The hotlists an agent matches offline")
def agent_hotlists(request: DeviceRequest) -> HttpResponse:
    """Active hotlists and their entries, with only the fields matching needs.

    `{"generation", "hotlists": [{"id", "name", "category", "priority", "fuzzy"}],
    "entries": [[entry id, hotlist id, plate or pattern, state, expires_at or null], ...]}`.
    The ETag is the hotlist generation: send it back in If-None-Match to get 304 when
    nothing changed. Each full download is audited as a disclosure to the device; a 304 is not.
    """
    etag = f'"hotlists-{hotlist_generation()}"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    camera = request.auth
    copy = agent_copy(Requester.device(camera.name, client_address=client_address(request)))
    response = JsonResponse(
        {"generation": copy.generation, "hotlists": copy.hotlists, "entries": copy.entries}
    )
    response["ETag"] = f'"hotlists-{copy.generation}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}

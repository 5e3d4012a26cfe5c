"""Reads about cameras: their status for the camera page (no plate, place of a read or person)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from platekeeper.server.cameras.actions import clock_problem
from platekeeper.server.cameras.models import Camera, CameraHealth
from platekeeper.server.reads.queries import newest_read_times

#: A camera heard from (a read or a heartbeat) within this long counts as online.
ONLINE_WITHIN = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class CameraStatus:
    camera: Camera
    online: bool
    last_read_at: dt.datetime | None
    health: CameraHealth | None
    clock_problem: str


def camera_statuses(now: dt.datetime | None = None) -> list[CameraStatus]:
    """Every camera with whether it is online, its newest read's time and its agent's report.

    Only times and counters leave this function, like `reads.queries.dashboard_counts`, so it
    needs no purpose and writes no access record.
    """
    now = now or timezone.now()
    last_reads = newest_read_times()
    healths = {h.camera_id: h for h in CameraHealth.objects.all()}
    statuses = []
    for camera in Camera.objects.select_related("agency").order_by("name"):
        health = healths.get(camera.pk)
        statuses.append(
            CameraStatus(
                camera=camera,
                online=bool(camera.last_seen_at and camera.last_seen_at >= now - ONLINE_WITHIN),
                last_read_at=last_reads.get(camera.pk),
                health=health,
                clock_problem=clock_problem(health),
            )
        )
    return statuses

"""Every change to cameras and their device credentials: asked of the gate, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, change, record_change
from platekeeper.server.access.roles import Permission
from platekeeper.server.agencies.actions import ensure_home_agency
from platekeeper.server.agencies.models import Agency
from platekeeper.server.cameras.models import Camera, CameraHealth, CameraKind, DeviceCredential
from platekeeper.server.common.tokens import digest_token, make_token


class CameraError(PlatekeeperError, ValueError):
    """A camera change was refused; the message says why."""


@dataclass(frozen=True)
class CameraWithToken:
    camera: Camera
    token: str


@change(Permission.MANAGE_CAMERAS, "camera.add")
def add_camera(
    name: str,
    *,
    requester: Requester,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
    mobile: bool = False,
    agency: Agency | None = None,
) -> CameraWithToken:
    """Register a camera and issue its first device token (returned once, never stored)."""
    name = _checked_name(name)
    _check_place(latitude=latitude, longitude=longitude, heading=heading, mobile=mobile)
    camera = Camera.objects.create(
        name=name,
        kind=CameraKind.MOBILE if mobile else CameraKind.FIXED,
        latitude=latitude,
        longitude=longitude,
        heading=heading,
        agency=agency or ensure_home_agency(),
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="camera.add",
        query={"camera": name, "kind": camera.kind, "latitude": latitude, "longitude": longitude},
    )
    return CameraWithToken(camera=camera, token=_new_device_token(camera, requester))


def _checked_name(name: str, *, camera: Camera | None = None) -> str:
    name = name.strip()
    if not name:
        raise CameraError("name: a camera's name must not be empty")
    others = Camera.objects.filter(name=name)
    if camera is not None:
        others = others.exclude(pk=camera.pk)
    if others.exists():
        raise CameraError(f"name: a camera named {name!r} already exists")
    return name


def _check_place(
    *, latitude: float | None, longitude: float | None, heading: float | None, mobile: bool
) -> None:
    """The place rules shared by adding and editing: a fixed camera stands somewhere."""
    if (latitude is None) != (longitude is None):
        raise CameraError("latitude: give both latitude and longitude, or neither")
    if latitude is not None and not -90 <= latitude <= 90:
        raise CameraError("latitude: must be between -90 and 90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise CameraError("longitude: must be between -180 and 180")
    if heading is not None and not 0 <= heading < 360:
        raise CameraError("heading: must be between 0 and 360 degrees")
    if not mobile and latitude is None:
        raise CameraError(
            "latitude: a fixed camera needs its latitude and longitude (or make it mobile)"
        )


@dataclass(frozen=True)
class CameraDetails:
    """What an administrator may change about a camera (its tokens have their own actions)."""

    name: str
    mobile: bool
    latitude: float | None
    longitude: float | None
    heading: float | None
    active: bool = True


def camera_details(camera: Camera) -> dict[str, object]:
    """What `edit_camera` can change, as the audit event's before/after and the edit form's
    initial values."""
    return {
        "name": camera.name,
        "kind": camera.kind,
        "latitude": camera.latitude,
        "longitude": camera.longitude,
        "heading": camera.heading,
        "active": camera.active,
    }


@change(Permission.MANAGE_CAMERAS, "camera.edit")
def edit_camera(camera: Camera, details: CameraDetails, *, requester: Requester) -> Camera:
    """Rename, move, change the kind of, retire or bring back a camera; audited with what it
    was and what it became. A retired camera's tokens stop working (`authenticate_device`)."""
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    before = camera_details(camera)
    camera.name = _checked_name(details.name, camera=camera)
    _check_place(
        latitude=details.latitude,
        longitude=details.longitude,
        heading=details.heading,
        mobile=details.mobile,
    )
    camera.kind = CameraKind.MOBILE if details.mobile else CameraKind.FIXED
    camera.latitude, camera.longitude = details.latitude, details.longitude
    camera.heading, camera.active = details.heading, details.active
    camera.save(update_fields=["name", "kind", "latitude", "longitude", "heading", "active"])
    after = camera_details(camera)
    record_change(
        requester,
        ADMINISTRATIVE,
        action="camera.edit",
        query={
            "camera": camera.pk,
            "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v},
        },
    )
    return camera


def _new_device_token(camera: Camera, requester: Requester) -> str:
    token = make_token("pkd")
    DeviceCredential.objects.create(
        camera=camera, token_hash=token.digest, token_prefix=token.prefix
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="camera.token_issue",
        query={"camera": camera.name, "prefix": token.prefix},
    )
    return token.secret


@change(Permission.MANAGE_CAMERAS, "camera.token_issue")
def issue_device_token(camera: Camera, *, requester: Requester) -> str:
    """Create a new device token for the camera and return its secret, shown only this once."""
    return _new_device_token(camera, requester)


@change(Permission.MANAGE_CAMERAS, "camera.token_revoke")
def revoke_device_tokens(camera: Camera, *, requester: Requester) -> int:
    """Revoke every live token of the camera at once; returns how many were revoked. The next
    request with one of them is refused (tokens are looked up on every request)."""
    revoked = DeviceCredential.objects.filter(camera=camera, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="camera.token_revoke",
        query={"camera": camera.name, "revoked": revoked},
    )
    return revoked


def authenticate_device(secret: str) -> Camera | None:
    """Return the active camera a live token belongs to, or None for anything else."""
    credential = (
        DeviceCredential.objects.select_related("camera__agency")
        .filter(token_hash=digest_token(secret), revoked_at__isnull=True, camera__active=True)
        .first()
    )
    return credential.camera if credential else None


#: A camera whose clock differs from the server's by more than this is flagged on its health.
CLOCK_SKEW_FLAG_SECONDS = 60.0


@dataclass(frozen=True)
class HeartbeatReport:
    """What an agent says about itself in `POST /api/v1/agent/heartbeat`."""

    agent_time: dt.datetime
    version: str = ""
    queue_depth: int = 0
    oldest_queued_at: dt.datetime | None = None
    queue_bytes: int = 0
    images_evicted: int = 0
    rejected: int = 0
    reads_per_minute: float = 0.0
    last_error: str = ""


@transaction.atomic
def record_heartbeat(
    camera: Camera, report: HeartbeatReport, *, received_at: dt.datetime | None = None
) -> CameraHealth:
    """Keep the agent's latest health report and mark the camera as heard from.

    Not audited: it is the device describing itself, not a person changing the system.
    """
    if report.agent_time.tzinfo is None:
        raise CameraError("agent_time: must carry a time zone")
    now = received_at or timezone.now()
    health, _ = CameraHealth.objects.update_or_create(
        camera=camera,
        defaults={
            "reported_at": now,
            "agent_version": report.version[:40],
            "agent_time": report.agent_time,
            "clock_offset_seconds": round((report.agent_time - now).total_seconds(), 1),
            "queue_depth": max(0, report.queue_depth),
            "oldest_queued_at": report.oldest_queued_at,
            "queue_bytes": max(0, report.queue_bytes),
            "images_evicted": max(0, report.images_evicted),
            "rejected": max(0, report.rejected),
            "reads_per_minute": max(0.0, report.reads_per_minute),
            "last_error": report.last_error[:500],
        },
    )
    Camera.objects.filter(pk=camera.pk).update(last_seen_at=now)
    return health


def clock_problem(health: CameraHealth | None) -> str:
    """A sentence when the camera's clock is off by more than the flag threshold, else ''."""
    if health is None or abs(health.clock_offset_seconds) <= CLOCK_SKEW_FLAG_SECONDS:
        return ""
    direction = "ahead" if health.clock_offset_seconds > 0 else "behind"
    return f"clock off by {abs(health.clock_offset_seconds):.0f} s ({direction})"

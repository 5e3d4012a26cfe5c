"""Every change to cameras and their device credentials."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.agencies.actions import ensure_home_agency
from platekeeper.server.agencies.models import Agency
from platekeeper.server.cameras.models import Camera, CameraKind, DeviceCredential
from platekeeper.server.common.tokens import digest_token, make_token


class CameraError(PlatekeeperError, ValueError):
    """A camera change was refused; the message says why."""


@dataclass(frozen=True)
class CameraWithToken:
    camera: Camera
    token: str


@transaction.atomic
def add_camera(
    name: str,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    heading: float | None = None,
    mobile: bool = False,
    agency: Agency | None = None,
) -> CameraWithToken:
    """Register a camera and issue its first device token (returned once, never stored)."""
    name = name.strip()
    if not name:
        raise CameraError("camera name must not be empty")
    if Camera.objects.filter(name=name).exists():
        raise CameraError(f"a camera named {name!r} already exists")
    if (latitude is None) != (longitude is None):
        raise CameraError("give both latitude and longitude, or neither")
    if latitude is not None and not -90 <= latitude <= 90:
        raise CameraError("latitude must be between -90 and 90")
    if longitude is not None and not -180 <= longitude <= 180:
        raise CameraError("longitude must be between -180 and 180")
    if not mobile and latitude is None:
        raise CameraError("a fixed camera needs --lat and --lon (or use --mobile)")
    camera = Camera.objects.create(
        name=name,
        kind=CameraKind.MOBILE if mobile else CameraKind.FIXED,
        latitude=latitude,
        longitude=longitude,
        heading=heading,
        agency=agency or ensure_home_agency(),
    )
    return CameraWithToken(camera=camera, token=issue_device_token(camera))


@transaction.atomic
def issue_device_token(camera: Camera) -> str:
    """Create a new device token for the camera and return its secret, shown only this once."""
    token = make_token("pkd")
    DeviceCredential.objects.create(
        camera=camera, token_hash=token.digest, token_prefix=token.prefix
    )
    return token.secret


@transaction.atomic
def revoke_device_tokens(camera: Camera) -> int:
    """Revoke every live token of the camera at once; returns how many were revoked."""
    return DeviceCredential.objects.filter(camera=camera, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def authenticate_device(secret: str) -> Camera | None:
    """Return the active camera a live token belongs to, or None for anything else."""
    credential = (
        DeviceCredential.objects.select_related("camera__agency")
        .filter(token_hash=digest_token(secret), revoked_at__isnull=True, camera__active=True)
        .first()
    )
    return credential.camera if credential else None

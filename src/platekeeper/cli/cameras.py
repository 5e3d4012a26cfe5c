"""`platekeeper camera ...`: register cameras and list them."""

from __future__ import annotations

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database


@click.group()
def camera() -> None:
    """Register and list cameras."""


@camera.command("add")
@click.argument("name")
@click.option("--lat", type=click.FloatRange(-90, 90), help="Latitude of a fixed camera")
@click.option("--lon", type=click.FloatRange(-180, 180), help="Longitude of a fixed camera")
@click.option("--heading", type=click.FloatRange(0, 360), help="Direction it faces, degrees")
@click.option("--mobile", is_flag=True, help="A camera on a patrol car (reports its position)")
def add(
    name: str, lat: float | None, lon: float | None, heading: float | None, mobile: bool
) -> None:
    """Register camera NAME and print its device token once, alone on the last line."""
    migrate_database()
    from platekeeper.server.cameras.actions import add_camera

    created = add_camera(
        name,
        requester=console_requester(),
        latitude=lat,
        longitude=lon,
        heading=heading,
        mobile=mobile,
    )
    click.echo(f"Camera {created.camera.name!r} registered ({created.camera.get_kind_display()}).")
    click.echo("Its device token follows; it is shown only now. Store it in the camera's config.")
    click.echo(created.token)


@camera.command("revoke")
@click.argument("name")
def revoke(name: str) -> None:
    """Revoke every device token of camera NAME at once (a stolen or retired camera)."""
    migrate_database()
    from platekeeper.server.cameras.actions import CameraError, revoke_device_tokens
    from platekeeper.server.cameras.models import Camera

    target = Camera.objects.filter(name=name).first()
    if target is None:
        raise CameraError(f"NAME: no camera named {name!r}")
    revoked = revoke_device_tokens(target, requester=console_requester())
    click.echo(f"Revoked {revoked} device token{'s' if revoked != 1 else ''} of {name!r}.")


@camera.command("list")
def list_cameras() -> None:
    """List cameras with their location and when each was last heard from."""
    migrate_database()
    from platekeeper.server.cameras.models import Camera

    cameras = list(Camera.objects.select_related("agency"))
    if not cameras:
        click.echo("No cameras yet. Add one with: platekeeper camera add NAME --lat .. --lon ..")
        return
    click.echo(f"{'NAME':<28} {'KIND':<7} {'LOCATION':<22} {'ACTIVE':<6} LAST SEEN (UTC)")
    for cam in cameras:
        where = f"{cam.latitude:.5f},{cam.longitude:.5f}" if cam.has_fixed_location else "-"
        seen = cam.last_seen_at.strftime("%Y-%m-%d %H:%M:%S") if cam.last_seen_at else "never"
        click.echo(
            f"{cam.name:<28} {cam.kind:<7} {where:<22} {'yes' if cam.active else 'no':<6} {seen}"
        )

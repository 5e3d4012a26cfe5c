"""`platekeeper demo` and `platekeeper seed-demo`: the demo town, seeded once, served and alive."""

from __future__ import annotations

import os
from pathlib import Path

import click

from platekeeper.cli.django_setup import migrate_database
from platekeeper.cli.main import host_option, port_option, serve

DEMO_SEED = 438
_days_option = click.option("--days", default=7, show_default=True, type=click.IntRange(1, 60))


@click.command("seed-demo")
@_days_option
@click.option("--seed", default=DEMO_SEED, show_default=True, type=int, help="Random seed")
def seed_demo_command(days: int, seed: int) -> None:
    """Fill the database with a demo town (cameras, reads, users); prints the demo logins."""
    _seed(days, seed)


@click.command()
@host_option
@port_option
@_days_option
@click.option(
    "--traffic/--no-traffic",
    default=True,
    show_default=True,
    help="Simulate the town's cameras sending heartbeats, reads and hotlist hits",
)
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, days: int, traffic: bool) -> None:
    """Seed the demo town (once) and serve it, with its cameras sending live traffic.

    The audit key is kept beside the data dir rather than in it, as a department must keep it
    (the compliance report checks), unless PLATEKEEPER_AUDIT_KEY(_FILE) says otherwise.
    """
    key_file = _keep_audit_key_apart()
    _seed(days, DEMO_SEED)
    if key_file:
        click.echo(
            f"The audit key is kept apart from the data dir, in {key_file}. Give other commands "
            f"on this demo the same key: PLATEKEEPER_AUDIT_KEY_FILE={key_file} platekeeper ..."
        )
    stop = _start_traffic(host, port) if traffic else None
    try:
        ctx.invoke(serve, host=host, port=port)
    finally:
        if stop is not None:
            stop.set()


def _seed(days: int, seed: int) -> None:
    migrate_database()
    from platekeeper.server.demo_seed import seed_demo

    summary = seed_demo(days=days, seed=seed)
    click.echo(summary.describe())


def _keep_audit_key_apart() -> Path | None:
    """Point PLATEKEEPER_AUDIT_KEY_FILE beside the data dir when nothing chose a key; the path.

    An older demo whose key is already in the data dir keeps it, or its audit log would no
    longer verify (its compliance report then names the problem).
    """
    if os.environ.get("PLATEKEEPER_AUDIT_KEY") or os.environ.get("PLATEKEEPER_AUDIT_KEY_FILE"):
        return None
    from platekeeper.server.environment import data_dir

    data = data_dir()
    if (data / "audit_key").exists():
        click.echo(
            f"This demo's audit key is in its data dir ({data}), as older demos kept it; the "
            f"compliance report says so. Remove {data} to start a demo that keeps it apart."
        )
        return None
    key_file = data.parent / f"{data.name}-audit-key"
    os.environ["PLATEKEEPER_AUDIT_KEY_FILE"] = str(key_file)
    return key_file


def _start_traffic(host: str, port: int):  # -> threading.Event (imported lazily)
    """Give the demo cameras fresh tokens and start their simulated traffic in the background."""
    from platekeeper.demo.simulator import TownSimulator, simulated_cameras, start_in_background
    from platekeeper.server.demo_seed import FIXED_CAMERAS, PATROL_CARS, issue_demo_tokens

    cameras = simulated_cameras(
        issue_demo_tokens(), fixed_cameras=FIXED_CAMERAS, patrol_cars=PATROL_CARS
    )
    if not cameras:
        click.echo("No active demo camera: no simulated traffic.")
        return None
    local = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104 - a comparison
    address = f"[{local}]" if ":" in local else local
    click.echo(
        f"Simulated traffic: {len(cameras)} cameras send heartbeats and reads "
        "(`--no-traffic` turns it off)."
    )
    return start_in_background(TownSimulator(f"http://{address}:{port}", cameras))

"""`platekeeper policy publish FILE`: post the department's ALPR policy (438.2.1(g))."""

from __future__ import annotations

from pathlib import Path

import click

from platekeeper.cli.common import console_requester
from platekeeper.cli.django_setup import migrate_database


@click.group()
def policy() -> None:
    """The ALPR policy shown on the public transparency page."""


@policy.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def publish(file: Path) -> None:
    """Publish FILE (plain text) as the policy on /transparency; audited."""
    migrate_database()
    from platekeeper.server.transparency.actions import publish_policy

    path = publish_policy(file.read_text(encoding="utf-8"), requester=console_requester())
    click.echo(f"Policy published ({path}); it shows on /transparency at once.")

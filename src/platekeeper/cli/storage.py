"""`platekeeper storage partitions|prepare`: the reads table's day partitions on PostgreSQL."""

from __future__ import annotations

import click

from platekeeper.cli.django_setup import migrate_database


@click.group("storage")
def storage() -> None:
    """The reads table's day partitions (PostgreSQL; SQLite keeps one table)."""


def _postgres_connection():
    migrate_database()
    from django.db import connection

    if connection.vendor != "postgresql":
        click.echo("SQLite keeps one reads table; day partitions exist on PostgreSQL only.")
        return None
    return connection


@storage.command("partitions")
def list_partitions() -> None:
    """List the day partitions and the kept partition, with estimated rows and size."""
    connection = _postgres_connection()
    if connection is None:
        return
    from platekeeper.server.reads.partitions import partitions

    for partition in partitions(connection):
        label = partition.day.isoformat() if partition.day else "kept (held, alerted, no day)"
        click.echo(
            f"{partition.name:24} {label:30} ~{partition.rows:>12,} rows "
            f"{partition.bytes / 1_048_576:>10,.1f} MiB"
        )


@storage.command("prepare")
@click.option(
    "--days",
    default=14,
    show_default=True,
    type=click.IntRange(0, 366),
    help="Days ahead of today to create partitions for",
)
def prepare(days: int) -> None:
    """Create the day partitions from yesterday to DAYS ahead (`serve` does this daily)."""
    connection = _postgres_connection()
    if connection is None:
        return
    from platekeeper.server.reads.partitions import prepare as prepare_days

    created = prepare_days(connection, days_ahead=days)
    click.echo(
        f"{len(created)} partitions created" + (f": {', '.join(created)}" if created else "")
    )

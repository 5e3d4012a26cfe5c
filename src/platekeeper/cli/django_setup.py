"""Starting Django from the CLI only when a command needs it, so `--help` stays instant."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure and start Django with platekeeper's settings (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platekeeper.server.settings")
    import django

    django.setup()


def migrate_database(*, quiet: bool = True) -> None:
    """Apply every pending migration: `serve` and `seed-demo` always start on a current schema."""
    setup_django()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)
    # Give the connection back: under `serve` this thread answers no request, and on
    # PostgreSQL it would keep one of the pool's connections for good.
    connections.close_all()

"""The `platekeeper` command group, its error handling, and the server commands."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import click

from platekeeper import __version__
from platekeeper.cli.django_setup import migrate_database
from platekeeper.errors import PlatekeeperError
from platekeeper.extras import missing_extra

#: Exit code for a failure that is the system's fault, not the user's (sysexits EX_SOFTWARE).
EXIT_INTERNAL_ERROR = 70


class PlatekeeperGroup(click.Group):
    """A click group that turns every failure into one readable line and a non-zero exit."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PlatekeeperError as error:
            raise click.ClickException(str(error)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as error:
            if extra := missing_extra(error, ctx.invoked_subcommand):
                click.echo(f"Error: {extra}", err=True)
                sys.exit(1)
            if os.environ.get("PLATEKEEPER_DEBUG"):
                raise
            click.echo(
                f"Error: {type(error).__name__}: {error} (set PLATEKEEPER_DEBUG=1 for details)",
                err=True,
            )
            sys.exit(EXIT_INTERNAL_ERROR)


@click.group(cls=PlatekeeperGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="platekeeper")
def cli() -> None:
    """platekeeper: an ALPR system that enforces its agency's usage-and-privacy policy.

    Configuration comes from environment variables (PLATEKEEPER_DATA_DIR, DATABASE_URL, ...);
    see the README.
    """


def _serve(host: str, port: int) -> None:
    import uvicorn
    from django.conf import settings

    from platekeeper.server import scheduler
    from platekeeper.server.startup import check_audit_key, check_production_settings

    check_production_settings()
    check_audit_key()
    stops = [
        scheduler.start_periodic_jobs(scheduler.daily_jobs()),
        scheduler.start_periodic_jobs(
            scheduler.hotlist_drop_jobs(),
            interval_seconds=settings.PLATEKEEPER_HOTLIST_DROP_MINUTES * 60,
        ),
        scheduler.start_periodic_jobs(
            scheduler.dispatch_jobs(),
            interval_seconds=settings.PLATEKEEPER_DISPATCH_SECONDS,
        ),
        scheduler.start_periodic_jobs(
            scheduler.checkpoint_jobs(),
            interval_seconds=settings.PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS,
        ),
    ]
    click.echo(f"platekeeper {__version__} serving at http://{host}:{port}/  (Ctrl+C stops)")
    # uvicorn shuts down gracefully on SIGTERM, then raises it again with the handler it found:
    # with Python's default one the process would die before the last checkpoint.
    signal.signal(signal.SIGTERM, _exit_quietly)
    try:
        uvicorn.run(
            "platekeeper.server.asgi:application",
            host=host,
            port=port,
            workers=settings.PLATEKEEPER_WORKERS,
            log_level=os.environ.get("PLATEKEEPER_LOG_LEVEL", "info").lower(),
            lifespan="off",
        )
    finally:
        for stop in stops:
            stop.set()
        scheduler.checkpoint_at_shutdown()


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


host_option = click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind")
port_option = click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to bind"
)


@cli.command()
@host_option
@port_option
def serve(host: str, port: int) -> None:
    """Apply pending migrations, then serve the web interface and API.

    Jobs run in the background while it serves: the daily purge and sharing check, the
    hotlist drop folder, and an audit checkpoint every minute (and one more when it stops).
    """
    migrate_database()
    _serve(host, port)


def _register_subcommands() -> None:
    from platekeeper.cli import (
        agent,
        approvals,
        audit,
        bridge,
        cameras,
        cases,
        compliance,
        demo,
        hotlists,
        hub,
        policy,
        recognize,
        records,
        retention,
        search,
        settings,
        sharing,
        storage,
        users,
    )

    users.settings_group.add_command(settings.case_number_format)

    for command in (
        cameras.camera,
        users.user,
        users.token,
        users.training,
        users.settings_group,
        users.purpose,
        audit.audit,
        search.search,
        hotlists.hotlist,
        retention.purge,
        retention.evidence,
        retention.retention_group,
        records.records,
        agent.agent,
        bridge.bridge,
        sharing.agency,
        sharing.sharing,
        recognize.recognize,
        recognize.read_images,
        recognize.watch,
        policy.policy,
        compliance.compliance,
        demo.seed_demo_command,
        demo.demo,
        storage.storage,
        hub.hub,
        cases.cases,
        approvals.approvals,
    ):
        cli.add_command(command)


_register_subcommands()

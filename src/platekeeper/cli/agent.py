"""`platekeeper agent`: the edge process beside a camera (no Django, no database server)."""

from __future__ import annotations

import logging
import sys

import click


@click.command()
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The agent's TOML configuration (see the README)",
)
@click.option("--check", is_flag=True, help="Check the configuration and engine, then exit")
@click.option(
    "--exit-when-done",
    is_flag=True,
    help="Exit once every source has ended and every read is uploaded (video files, demos)",
)
def agent(config_path: str, check: bool, exit_when_done: bool) -> None:
    """Read plates from cameras, keep every read on disk until the server confirms it, and
    alert at once on hotlist hits, even offline."""
    from platekeeper.agent.config import load_config
    from platekeeper.agent.main import build_engine, run_agent

    config = load_config(config_path)
    logging.basicConfig(
        level=config.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # One line per HTTP request would drown the lines that matter (hits, failures, warnings).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if check:
        engine = build_engine(config)
        click.echo(
            f"Configuration OK: {len(config.sources)} source(s), engine {engine.name!r}, "
            f"server {config.server.url}, outbox {config.resolve(config.outbox.path)}"
        )
        return
    sys.exit(run_agent(config, exit_when_done=exit_when_done))

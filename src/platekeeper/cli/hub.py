"""`platekeeper hub`: run a regional hub that fans partner searches out to member nodes."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("hub")
@click.option(
    "--config",
    "config_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSON file: the callers' token digests and the member nodes with their tokens",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=click.IntRange(1, 65535))
def hub(config_path: Path, host: str, port: int) -> None:
    """Serve GET /api/v1/hub/search: one partner search asked of every member node, each
    applying its own agreement, gate and audit; the hub stores no reads (docs/scale.md)."""
    import logging

    from platekeeper.hub.fanout import load_config
    from platekeeper.hub.server import make_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(config_path)
    server = make_server(config, host, port)
    click.echo(f"hub on http://{host}:{port} with {len(config.members)} member nodes", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

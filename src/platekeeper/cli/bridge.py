"""`platekeeper bridge ...`: bring other systems' plate reads into platekeeper (no Django)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click


@click.group()
def bridge() -> None:
    """Bring plate reads from other systems (Frigate NVR) into platekeeper."""


@bridge.command()
@click.option(
    "--broker", required=True, help="Frigate's MQTT broker: mqtt://[USER:PASS@]HOST[:PORT]"
)
@click.option("--server", "server_url", required=True, help="platekeeper's URL")
@click.option(
    "--token-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The device token (from `platekeeper camera add`), or `NAME TOKEN` lines, one per "
    "camera of --camera-map; else PLATEKEEPER_AGENT_TOKEN",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("platekeeper-frigate"),
    show_default=True,
    help="Where the outbox keeps reads until the server has them",
)
@click.option("--topic-prefix", default="frigate", show_default=True, help="Frigate's topic_prefix")
@click.option(
    "--camera-map",
    "camera_map",
    multiple=True,
    metavar="FRIGATE_CAMERA=NAME",
    help="Bridge this Frigate camera as the platekeeper camera NAME (repeat); without any, "
    "every camera goes to the one token",
)
@click.option("--frigate-url", help="Frigate's HTTP address, to attach each object's snapshot")
def frigate(
    broker: str,
    server_url: str,
    token_file: Path | None,
    data_dir: Path,
    topic_prefix: str,
    camera_map: tuple[str, ...],
    frigate_url: str | None,
) -> None:
    """Turn each car or motorcycle Frigate recognises a plate on into one platekeeper read.

    Reads wait in a durable outbox until the server confirms them, so an outage of either
    side loses nothing; stop with Ctrl+C or SIGTERM.
    """
    from platekeeper.bridges.frigate import (
        BridgeError,
        Broker,
        FrigateBridge,
        Settings,
        read_tokens,
        stop_on_signals,
    )

    if token_file is not None:
        tokens = read_tokens(token_file.read_text())
    elif os.environ.get("PLATEKEEPER_AGENT_TOKEN"):
        tokens = {"": os.environ["PLATEKEEPER_AGENT_TOKEN"]}
    else:
        raise click.UsageError("give --token-file or set PLATEKEEPER_AGENT_TOKEN")
    mapping = {}
    for entry in camera_map:
        frigate_camera, equals, name = entry.partition("=")
        if not equals or not frigate_camera or not name:
            raise click.BadParameter(
                f"{entry!r}: expected FRIGATE_CAMERA=NAME", param_hint="--camera-map"
            )
        if "" not in tokens and name not in tokens:
            raise BridgeError(f"--camera-map {entry}: the token file has no line for {name!r}")
        mapping[frigate_camera] = name
    if "" not in tokens and not mapping:
        raise BridgeError("a token file with one line per camera needs --camera-map")
    logging.basicConfig(
        level=os.environ.get("PLATEKEEPER_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    running = FrigateBridge(
        Settings(
            broker=Broker.from_url(broker),
            server_url=server_url,
            tokens=tokens,
            data_dir=data_dir,
            topic_prefix=topic_prefix.rstrip("/"),
            camera_map=mapping,
            frigate_url=frigate_url,
        )
    )
    stop_on_signals(running)
    sys.exit(running.run())

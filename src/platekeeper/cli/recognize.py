"""`platekeeper recognize FILE`: read plates from a photo or video, without the server."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--engine", default="default", show_default=True, help="Recognition engine")
@click.option("--country", type=click.Choice(["us", "eu"]), default="us", show_default=True)
@click.option("--top-n", default=10, show_default=True, type=click.IntRange(1, 50))
def recognize(file: Path, engine: str, country: str, top_n: int) -> None:
    """Print one JSON line per plate in FILE (OpenALPR's field names, confidence 0-100)."""
    from platekeeper.recognition.cli import recognize_command

    status = recognize_command(file, engine=engine, country=country, top_n=top_n)
    if status:
        sys.exit(status)

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


@click.command("read")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON array, OpenALPR's field names")
@click.option("--country", type=click.Choice(["us", "eu"]), default="us", show_default=True)
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 50))
def read_images(images: tuple[Path, ...], as_json: bool, country: str, top: int) -> None:
    """Read the plates in each IMAGE, in argument order.

    An unreadable or missing file is named on standard error and the command exits 1, but the
    other images are still reported.
    """
    import json

    from platekeeper.recognition.cli import image_report

    reports, failures = [], 0
    for path in images:
        try:
            reports.append(image_report(path, country=country, top_n=top))
        except (FileNotFoundError, ValueError) as error:
            click.echo(f"Error: {error}", err=True)  # the message names the file
            failures += 1
    if as_json:
        click.echo(json.dumps(reports, indent=2))
    else:
        for report in reports:
            found = ", ".join(f"{r['plate']} ({r['confidence']:.0f}%)" for r in report["results"])
            click.echo(f"{report['image']}: {found or 'no plate found'}")
    if failures:
        sys.exit(1)


@click.command()
@click.argument("source")
@click.option(
    "--every", default=3, show_default=True, type=click.IntRange(1, 60), help="Read every Nth frame"
)
@click.option("--engine", default="default", show_default=True, help="Recognition engine")
@click.option("--country", type=click.Choice(["us", "eu"]), default="us", show_default=True)
@click.option("--min-confidence", default=0.5, show_default=True, type=click.FloatRange(0, 1))
@click.option(
    "--motion-threshold",
    default=1.5,
    show_default=True,
    type=click.FloatRange(0),
    help="Skip frames where nothing moved (mean grey change below this); 0 reads every frame",
)
def watch(
    source: str,
    every: int,
    engine: str,
    country: str,
    min_confidence: float,
    motion_threshold: float,
) -> None:
    """Watch SOURCE (a video file, an rtsp:// or http:// stream, or a folder images are dropped
    into) and print one JSON line per vehicle pass: the plate voted across its frames, from
    its best frame. Ctrl+C stops. Photos dropped in a folder move to its processed/ folder.
    """
    import datetime as dt
    import json
    import threading

    from platekeeper.agent.config import SourceConfig
    from platekeeper.agent.grouping import PassGrouper, passes_for_frame
    from platekeeper.agent.sources import open_source
    from platekeeper.recognition import get_engine
    from platekeeper.recognition.video import MotionGate

    if "://" in source:
        config = SourceConfig(kind="stream", url=source, every_n_frames=every)
    elif Path(source).is_dir():
        config = SourceConfig(kind="folder", path=source, every_n_frames=every)
    elif Path(source).is_file():
        if not _opens_as_video(source):
            raise click.BadParameter(
                f"{source!r} is no video this machine can decode", param_hint="SOURCE"
            )
        config = SourceConfig(kind="video", path=source, every_n_frames=every)
    else:
        raise click.BadParameter(
            f"{source!r} is no file, folder or stream URL", param_hint="SOURCE"
        )
    frames = open_source(config, "watch", clock=lambda: dt.datetime.now(dt.UTC))
    reader = get_engine(engine, country=country)
    grouper = PassGrouper(keep_image=False)
    stop = threading.Event()

    def show(passes) -> None:
        for found in passes:
            click.echo(
                json.dumps(
                    {
                        "plate": found.text,
                        "confidence": round(found.confidence * 100, 2),
                        "captured_at": found.captured_at.isoformat(),
                        "first_seen": found.first_seen.isoformat(),
                        "last_seen": found.last_seen.isoformat(),
                        "frames": found.frames,
                        "candidates": [
                            {"plate": c.text, "confidence": round(c.confidence * 100, 2)}
                            for c in found.candidates
                        ],
                    }
                )
            )

    gate = MotionGate(motion_threshold)
    try:
        for frame in frames.frames(stop):
            if not frame.still and gate.idle(frame.image):
                continue
            reads = [r for r in reader.read_frame(frame.image) if r.confidence >= min_confidence]
            show(passes_for_frame(frame, reads, grouper, keep_image=False))
            if frame.done:
                frame.done()
    except KeyboardInterrupt:
        stop.set()
    show(grouper.flush())


def _opens_as_video(path: str) -> bool:
    """True when OpenCV opens `path` as a video (an empty or truncated file it does not)."""
    import cv2  # heavy; imported when first used

    capture = cv2.VideoCapture(path)
    try:
        return bool(capture.isOpened())
    finally:
        capture.release()

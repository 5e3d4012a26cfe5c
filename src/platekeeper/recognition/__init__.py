"""Plate recognition: find and read licence plates in photos and video. Django-free.

    from platekeeper.recognition import get_engine
    engine = get_engine("default", country="us")
    reads = engine.read_image("car.jpg")          # list[PlateRead], best first
    for frame_read in engine.read_video("pass.mp4", every_n_frames=3): ...

Heavy libraries (onnxruntime, OpenCV) are imported when a model is first used, so importing
this package is cheap.
"""

from __future__ import annotations

from pathlib import Path

from platekeeper.recognition.engine import (
    Engine,
    available_engines,
    get_engine,
    load_image,
    register_engine,
)
from platekeeper.recognition.results import (
    Box,
    Candidate,
    FrameRead,
    PlateGroup,
    PlateRead,
    VehicleColor,
)

#: Vehicle passes whose voted read is less likely than this to be a plate are not reported.
MIN_GROUP_CONFIDENCE = 0.25
VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"})

__all__ = [
    "MIN_GROUP_CONFIDENCE",
    "VIDEO_SUFFIXES",
    "Box",
    "Candidate",
    "Engine",
    "FrameRead",
    "PlateGroup",
    "PlateRead",
    "VehicleColor",
    "available_engines",
    "get_engine",
    "load_image",
    "recognize_file",
    "register_engine",
]

_ENGINES: dict[tuple[str, str, int, int], Engine] = {}


def _cached_engine(name: str, country: str, top_n: int, threads: int) -> Engine:
    key = (name, country, top_n, threads)
    if key not in _ENGINES:
        engine = get_engine(name, country=country, top_n=top_n, threads=threads)
        engine.warm_up()  # loading models is start-up, not the first image's processing time
        _ENGINES[key] = engine
    return _ENGINES[key]


def recognize_file(
    path: str | Path,
    engine: str | Engine = "default",
    *,
    country: str = "us",
    top_n: int = 10,
    threads: int = 1,
    every_n_frames: int = 3,
) -> list[PlateRead]:
    """Read the plates in an image or video file, best first.

    For a video (by suffix, see `VIDEO_SUFFIXES`) every `every_n_frames`-th frame is read and
    reads of the same plate over nearby frames are grouped: one `PlateRead` per vehicle pass,
    with the voted text and candidates and the box and crop of its best frame; passes whose
    voted confidence is under `MIN_GROUP_CONFIDENCE` (small print read as a plate) are dropped.
    """
    from platekeeper.recognition.video import group_reads

    chosen = (
        engine if isinstance(engine, Engine) else _cached_engine(engine, country, top_n, threads)
    )
    path = Path(path)
    if path.suffix.lower() not in VIDEO_SUFFIXES:
        return chosen.read_image(path)
    groups = group_reads(chosen.read_video(path, every_n_frames=every_n_frames))
    reads = [
        PlateRead(
            text=group.text,
            confidence=group.confidence,
            candidates=group.candidates,
            box=group.best.read.box,
            region=group.best.read.region,
            crop=group.best.read.crop,
            color=group.best.read.color,
        )
        for group in groups
        if group.confidence >= MIN_GROUP_CONFIDENCE
    ]
    reads.sort(key=lambda read: -read.confidence)
    return reads

"""Command bodies for the CLI (`platekeeper recognize`, `platekeeper read --json`); click-free.

The CLI module registers these; they take plain arguments, print, and return an exit status.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from platekeeper.recognition.results import PlateRead


def read_to_json(read: PlateRead) -> dict[str, Any]:
    """One read with OpenALPR's field names: plate, confidence (0-100), region, coordinates,
    candidates, and `vehicle.color` {name, confidence 0-100} where the overview was seen."""
    corners = read.box.corners if read.box is not None else ()
    vehicle = {}
    if read.color is not None:
        vehicle["vehicle"] = {
            "color": {"name": read.color.name, "confidence": round(read.color.confidence * 100, 1)}
        }
    return {
        "plate": read.text,
        "confidence": round(read.confidence * 100, 2),
        "region": read.region,
        "coordinates": [{"x": round(x), "y": round(y)} for x, y in corners],
        "candidates": [
            {"plate": c.text, "confidence": round(c.confidence * 100, 2)} for c in read.candidates
        ],
        **vehicle,
    }


def image_report(
    path: str | Path, *, engine: str = "default", country: str = "us", top_n: int = 10
) -> dict[str, Any]:
    """Read one image and return OpenALPR's per-image JSON object (`image`, `results`, ...).

    Raises FileNotFoundError or ValueError for a missing or unreadable image.
    """
    from platekeeper.recognition import _cached_engine, load_image

    chosen = _cached_engine(engine, country, top_n, 1)
    frame = load_image(path)
    started = time.perf_counter()
    reads = chosen.read_frame(frame)
    elapsed_ms = (time.perf_counter() - started) * 1000
    return {
        "image": str(path),
        "processing_time_ms": round(elapsed_ms, 1),
        "img_width": int(frame.shape[1]),
        "img_height": int(frame.shape[0]),
        "results": [read_to_json(read) for read in reads],
    }


def recognize_command(
    path: str | Path,
    *,
    engine: str = "default",
    country: str = "us",
    top_n: int = 10,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Print one JSON line per plate found in an image or video; return the exit status.

    Missing or unreadable files print a message on `err` and return 1.
    """
    from platekeeper.recognition import recognize_file

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        reads = recognize_file(path, engine, country=country, top_n=top_n)
    except (FileNotFoundError, ValueError) as exc:
        print(f"Error: {exc}", file=err)  # messages about a file name it
        return 1
    for read in reads:
        print(json.dumps({"file": str(path), **read_to_json(read)}), file=out)
    return 0

"""The edge agent: frames per second through its pipeline on one core, and reads per second up.

    python benchmarks/agent.py [--seconds-per-resolution N] [--reads N]

1. Generates 1080p and 720p videos of vehicles passing (`recognition.synthetic`) in a temp dir
   and runs them through the agent's own pipeline (video source, recognition engine, frame
   grouping, outbox with crop and overview JPEGs) pinned to one core with one onnxruntime
   thread. It reports frames read per second, the real-time factor at the video's 15 fps,
   and how many vehicles came out as exactly one read with the right plate. A run with the
   "fake" engine shows what decoding, grouping and the outbox cost without recognition.
2. Fills an outbox with reads (with a small unique JPEG crop each, then without images) and
   lets the agent's uploader send them to a real local `platekeeper serve` (SQLite), reporting
   reads per second. A batch with images carries at most 100 files (Django's limit per request).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from PIL import Image

import _harness
from platekeeper.agent.config import parse_config
from platekeeper.agent.heartbeat import Health
from platekeeper.agent.location import NoLocation
from platekeeper.agent.main import Pipeline, build_engine
from platekeeper.agent.outbox import Outbox
from platekeeper.agent.sources import open_source
from platekeeper.agent.uploader import Backoff, Uploader, make_client
from tests.support.live import isolated_environment, run_cli, running_server

PLATES = ["7ABC123", "4XYZ987", "8KLM204", "6TRL555", "5PQR310", "3HJK842"]
RESOLUTIONS = {"1080p": (1920, 1080), "720p": (1280, 720)}


def _config(folder: Path, video: Path, engine: str, options: dict | None = None):
    return parse_config(
        {
            "server": {"url": "http://127.0.0.1:1", "token": "unused"},
            "source": [{"kind": "video", "path": str(video), "every_n_frames": 1}],
            "recognition": {"engine": engine, "threads": 1, "options": options or {}},
            "grouping": {"max_gap_seconds": 0.5},
            "hotlists": {"enabled": False},
        },
        base_dir=folder,
    )


def pipeline_run(folder: Path, video: Path, engine_name: str, options: dict | None = None):
    """Frames per second through the pipeline, and the plates of the reads it queued."""
    config = _config(folder, video, engine_name, options)
    outbox = Outbox(folder / f"outbox-{engine_name}-{video.stem}.sqlite3", max_bytes=10**10)
    health = Health()
    pipeline = Pipeline(
        config, outbox=outbox, hotlists=None, announcer=None, location=NoLocation(), health=health
    )
    engine = build_engine(config)
    engine.warm_up()
    source = open_source(config.sources[0], "bench", lambda: dt.datetime.now(dt.UTC))
    started = time.perf_counter()
    pipeline.run_source(source, engine, threading.Event())
    elapsed = time.perf_counter() - started
    plates = [read.item["plate"] for read in outbox.next_batch(1000)]
    outbox.close()
    return health.frames / elapsed, health.frames, plates


def pipeline_benchmark() -> None:
    from platekeeper.recognition.synthetic import write_pass_video

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for label, size in RESOLUTIONS.items():
            video = folder / f"pass-{label}.mp4"
            write_pass_video(video, PLATES, size=size, fps=15.0)
            fps, frames, plates = pipeline_run(folder, video, "default")
            right_once = sum(plates.count(p) == 1 for p in PLATES)
            rows.append(
                [
                    label,
                    "default",
                    frames,
                    fps,
                    fps / 15.0,
                    f"{right_once}/{len(PLATES)}",
                    len(plates),
                ]
            )
            # The fake engine "reads" one fixed plate per frame: decoding + grouping + outbox.
            fps, frames, plates = pipeline_run(
                folder, video, "fake", {"plates": {"7ABC123": (10, 10, 200, 100)}}
            )
            rows.append([label, "fake (no recognition)", frames, fps, fps / 15.0, "-", len(plates)])
    _harness.print_table(
        "Agent pipeline on one core (decode, recognise every frame, group, outbox)",
        [
            "video",
            "engine",
            "frames",
            "frames/s",
            "x real time (15 fps)",
            "vehicles right once",
            "reads queued",
        ],
        rows,
    )


def _crop(rng: random.Random) -> bytes:
    image = Image.new("RGB", (160, 80), tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def upload_benchmark(count: int) -> None:
    rng = random.Random(438)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with isolated_environment(folder / "server") as env:
            added = run_cli(env, "camera", "add", "Bench", "--lat", "37.82", "--lon", "-122.23")
            token = added.stdout.strip().splitlines()[-1]
            with running_server(env) as base:
                for batch_size, with_crop in ((100, True), (500, False)):
                    outbox = Outbox(folder / f"up-{batch_size}.sqlite3", max_bytes=10**10)
                    now = dt.datetime.now(dt.UTC)
                    for i in range(count):
                        item = {
                            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                            "plate": f"{rng.randint(1, 9)}BEN{i:04d}"[:8],
                            "captured_at": (now - dt.timedelta(seconds=i)).isoformat(),
                            "confidence": 0.9,
                        }
                        outbox.add(item, {"plate_crop": _crop(rng)} if with_crop else {})
                    client = make_client(base, token, timeout=60, user_agent="bench")
                    uploader = Uploader(
                        outbox, client, batch_size=batch_size, backoff=Backoff(0.1, 1)
                    )
                    started = time.perf_counter()
                    while uploader.upload_once() is not None:
                        pass
                    elapsed = time.perf_counter() - started
                    rows.append(
                        [
                            "160x80 JPEG crop" if with_crop else "none",
                            batch_size,
                            count,
                            elapsed,
                            count / elapsed,
                            outbox.depth(),
                        ]
                    )
                    outbox.close()
    _harness.print_table(
        "Agent uploads from its outbox to a local platekeeper serve (SQLite)",
        ["images", "batch", "reads", "seconds", "reads/s", "left in outbox"],
        rows,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reads", type=int, default=3000, help="reads to upload (default 3000)")
    parser.add_argument("--skip-video", action="store_true", help="only the upload figures")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import cv2

    cv2.setNumThreads(1)
    if not args.skip_video:
        pipeline_benchmark()
    upload_benchmark(args.reads)
    return 0


if __name__ == "__main__":
    sys.exit(main())

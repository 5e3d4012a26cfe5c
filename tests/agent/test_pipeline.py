"""The pipeline in one process: a video becomes one queued read per pass, with stable ids."""

from __future__ import annotations

import datetime as dt
import threading

from platekeeper.agent.config import parse_config
from platekeeper.agent.heartbeat import Health
from platekeeper.agent.location import Fix, FixedLocation
from platekeeper.agent.main import Pipeline, build_engine
from platekeeper.agent.outbox import Outbox
from platekeeper.agent.sources import open_source
from tests.agent.conftest import write_video


def _pipeline(tmp_path, video):
    config = parse_config(
        {
            "server": {"url": "http://127.0.0.1:1", "token": "t"},
            "source": [{"kind": "video", "path": str(video), "every_n_frames": 2}],
            "recognition": {"engine": "blocks", "plugins": ["tests.agent.block_engine"]},
            "grouping": {"max_gap_seconds": 0.35},
        },
        base_dir=tmp_path,
    )
    outbox = Outbox(tmp_path / "outbox.sqlite3", max_bytes=10**9)
    pipeline = Pipeline(
        config,
        outbox=outbox,
        hotlists=None,
        announcer=None,
        location=FixedLocation(Fix(37.82, -122.23, heading=90.0)),
        health=Health(),
    )
    return config, pipeline, outbox


def test_a_video_gives_one_read_per_pass_and_reading_it_again_adds_nothing(tmp_path):
    """GIVEN a video of three passing cars WHEN the agent reads it twice (a restart) THEN the
    outbox holds three reads, with position, box, crop and overview, under the same ids."""
    video = tmp_path / "passes.avi"
    write_video(video, ["7ABC123", "4XYZ987", "8KLM204"])
    config, pipeline, outbox = _pipeline(tmp_path, video)
    engine = build_engine(config)
    clock = lambda: dt.datetime.now(dt.UTC)  # noqa: E731 - a one-line clock

    pipeline.run_source(open_source(config.sources[0], "lane1", clock), engine, threading.Event())
    first = outbox.next_batch(10)
    pipeline.run_source(open_source(config.sources[0], "lane1", clock), engine, threading.Event())

    assert [read.item["plate"] for read in first] == ["7ABC123", "4XYZ987", "8KLM204"]
    assert outbox.depth() == 3
    item = first[0].item
    assert (item["latitude"], item["longitude"], item["heading"]) == (37.82, -122.23, 90.0)
    assert item["plate_box"] == {"x": 0, "y": 0, "width": 112, "height": 16}
    assert set(first[0].images) == {"plate_crop", "overview"}
    assert first[0].images["overview"].read_bytes()[:2] == b"\xff\xd8"  # a JPEG

"""Video reading and grouping reads of one plate across frames."""

from __future__ import annotations

import pytest

from platekeeper.recognition import get_engine, recognize_file
from platekeeper.recognition.results import Candidate, FrameRead, PlateRead
from platekeeper.recognition.video import group_reads, iter_frames

from .conftest import write_video


def _read(frame_index: int, text: str, confidence: float = 0.8, alt: str = "") -> FrameRead:
    candidates = (Candidate(text, confidence),) + ((Candidate(alt, 0.1),) if alt else ())
    return FrameRead(
        frame_index=frame_index,
        time_s=frame_index / 10,
        read=PlateRead(text=text, confidence=confidence, candidates=candidates, box=None),
    )


def test_group_reads_votes_across_frames_and_splits_on_gaps():
    """GIVEN one plate read in 4 frames (one misread) and another much later WHEN grouped THEN
    two groups, the first voted to the majority text."""
    reads = [
        _read(0, "7ABC123"),
        _read(3, "7ABC128", confidence=0.5, alt="7ABC123"),
        _read(6, "7ABC123"),
        _read(9, "7ABC123"),
        _read(90, "KL3B8K"),
    ]
    groups = group_reads(reads, max_gap_seconds=1.5)
    assert [g.text for g in groups] == ["7ABC123", "KL3B8K"]
    first = groups[0]
    assert (first.first_frame, first.last_frame, first.frames) == (0, 9, 4)
    assert first.first_time_s == 0.0
    assert first.last_time_s == 0.9
    assert first.candidates[0].confidence > first.candidates[1].confidence


def test_iter_frames_steps_and_times(tmp_path):
    path = tmp_path / "pass.mp4"
    write_video(path, "7ABC123", frames=10)
    seen = list(iter_frames(path, every_n_frames=3))
    assert [index for index, _, _ in seen] == [0, 3, 6, 9]
    assert seen[1][1] == pytest.approx(0.3, abs=0.05)
    with pytest.raises(FileNotFoundError):
        list(iter_frames(tmp_path / "missing.mp4"))


def test_read_video_and_recognize_file_give_one_read_per_pass(tmp_path):
    path = tmp_path / "pass.mp4"
    write_video(path, "7ABC123", frames=12)
    engine = get_engine("default")
    frame_reads = list(engine.read_video(path, every_n_frames=4))
    assert {r.frame_index for r in frame_reads} <= {0, 4, 8}
    assert any(r.read.text == "7ABC123" for r in frame_reads)
    reads = recognize_file(path, engine, every_n_frames=4)
    assert reads[0].text == "7ABC123"
    assert len([r for r in reads if r.text == "7ABC123"]) == 1


def test_motion_gating_skips_idle_frames(tmp_path):
    """GIVEN a video of 1 s idle road then a passing vehicle WHEN read with motion gating THEN
    the idle frames after the first are not read, and without gating they are."""
    from platekeeper.recognition.synthetic import write_pass_video

    path = tmp_path / "pass.mp4"
    write_pass_video(path, ["7ABC123"], size=(640, 360), fps=10, seconds_per_vehicle=1.0)
    gated = get_engine("fake", plates={"7ABC123": (0, 0, 10, 10)})
    list(gated.read_video(path, every_n_frames=1))
    ungated = get_engine("fake", plates={"7ABC123": (0, 0, 10, 10)})
    list(ungated.read_video(path, every_n_frames=1, motion_threshold=0))
    assert ungated.frames_seen == 20
    assert gated.frames_seen <= 12  # one idle frame, then the ten moving ones

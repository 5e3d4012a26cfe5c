"""Grouping frames into passes: one read per vehicle, voted text, best frame kept."""

from __future__ import annotations

import datetime as dt

import numpy as np

from platekeeper.agent.grouping import PassGrouper
from platekeeper.plates import similar_readings
from platekeeper.recognition import Candidate, FrameRead, PlateRead
from platekeeper.recognition.video import group_reads

T0 = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)


def _read(text: str, confidence: float = 0.8) -> PlateRead:
    return PlateRead(text, confidence, (Candidate(text, confidence),), box=None)


def _feed(grouper: PassGrouper, frames: list[list[PlateRead]], step: float = 0.1):
    passes = []
    for index, reads in enumerate(frames):
        image = np.full((4, 4, 3), index, dtype=np.uint8)
        passes += grouper.add(
            reads,
            time_s=index * step,
            captured_at=T0 + dt.timedelta(seconds=index * step),
            index=index,
            source="lane1",
            key="video:x",
            image=image,
        )
    return passes + grouper.flush()


def test_one_pass_per_vehicle_with_the_misread_outvoted_and_the_best_frame_kept():
    grouper = PassGrouper(max_gap_seconds=0.5)
    frames = [
        [_read("7ABC123", 0.7)],
        [_read("7A8C123", 0.6)],
        [_read("7ABC123", 0.95)],
        [_read("7ABC123", 0.8)],
    ]

    (found,) = _feed(grouper, frames)

    assert found.text == "7ABC123"
    assert found.frames == 4
    assert found.best.confidence == 0.95
    assert found.best_image[0, 0, 0] == 2  # the picture of the best frame
    assert found.captured_at == T0 + dt.timedelta(seconds=0.2)
    assert [c.text for c in found.candidates] == ["7ABC123", "7A8C123"]


def test_the_same_plate_after_a_long_gap_is_a_second_pass():
    grouper = PassGrouper(max_gap_seconds=0.25)
    frames = [[_read("7ABC123")], [_read("7ABC123")], [], [], [], [_read("7ABC123")]]

    passes = _feed(grouper, frames)

    assert [p.frames for p in passes] == [2, 1]
    assert passes[0].key != passes[1].key


def test_two_cars_in_one_frame_are_two_passes_and_short_passes_can_be_dropped():
    grouper = PassGrouper(max_gap_seconds=0.5, min_frames=2)
    frames = [
        [_read("7ABC123"), _read("4XYZ987")],
        [_read("7ABC123"), _read("4XYZ987")],
        [_read("9QQQ111")],
    ]

    passes = _feed(grouper, frames)

    assert sorted(p.text for p in passes) == ["4XYZ987", "7ABC123"]


def test_passes_close_as_time_moves_on():
    grouper = PassGrouper(max_gap_seconds=0.3)
    closed = grouper.add([_read("7ABC123")], time_s=0, captured_at=T0, index=0, source="a", key="k")
    assert closed == []
    closed = grouper.add([], time_s=1.0, captured_at=T0, index=10, source="a", key="k")

    assert [p.text for p in closed] == ["7ABC123"]
    assert grouper.open_passes == 0


def test_similar_plates_are_one_edit_apart_and_long_enough():
    assert similar_readings("7ABC123", "7ABC128")
    assert similar_readings("7ABC123", "7ABC12")
    assert not similar_readings("7ABC123", "7XYZ123")
    assert not similar_readings("AB1", "AB2")


def test_the_agent_and_video_grouping_are_one_rule():
    """GIVEN the same frames WHEN grouped by the agent and by `group_reads` THEN the same passes
    come out (one implementation, `recognition.passes.PassTracker`)."""
    frames = [
        [_read("7ABC123", 0.7), _read("4XYZ987")],
        [_read("7A8C123", 0.6)],
        [],
        [_read("7ABC123", 0.9)],
        [],
        [],
        [],
        [_read("7ABC123")],
    ]
    passes = _feed(PassGrouper(max_gap_seconds=0.25), frames)
    groups = group_reads(
        [
            FrameRead(frame_index=index, time_s=index * 0.1, read=read)
            for index, reads in enumerate(frames)
            for read in reads
        ],
        max_gap_seconds=0.25,
    )

    assert sorted((p.text, p.frames, p.confidence) for p in passes) == sorted(
        (g.text, g.frames, g.confidence) for g in groups
    )
    assert len(passes) == 3

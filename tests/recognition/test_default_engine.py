"""The default engine end to end on generated scenes: blur, skew, noise, small plates."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from platekeeper.recognition import get_engine
from platekeeper.recognition.engines.default import DefaultSettings

from .conftest import render_plate, render_scene, small_plate_scene


@pytest.fixture(scope="module")
def engine():
    return get_engine("default", country="us")


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("7ABC123", {}),
        ("KL3B8K", {"skew_degrees": 4, "blur": 1.2, "noise": 6, "seed": 1}),
        ("8XYZ042", {"plate_width": 150, "blur": 0.8, "noise": 8, "seed": 2}),
        ("4GLS168", {"skew_degrees": -3, "noise": 10, "seed": 3, "position": (200, 300)}),
    ],
)
def test_reads_rendered_plates(engine, text, options):
    frame, (x, y, w, h) = render_scene(text, **options)
    reads = engine.read_frame(frame)
    assert reads, "no plate found"
    best = reads[0]
    assert best.text == text, [r.text for r in reads]
    assert best.box is not None
    assert best.box.contains(x + w / 2, y + h / 2)
    assert best.crop is not None
    assert best.crop.ndim == 3


def test_state_name_is_not_reported_before_the_registration(engine):
    frame, _ = render_scene("5RIN962", plate_width=300)
    reads = engine.read_frame(frame)
    assert reads[0].text == "5RIN962"
    assert "CALIFORNIA" not in [r.text for r in reads]


def test_a_plate_half_out_of_the_frame_is_not_reported_before_a_whole_one(engine):
    """GIVEN a passing car's plate cut by the frame's left edge and a whole plate further in
    WHEN read THEN the whole plate comes first: what the edge cut off was never seen."""
    frame, _ = render_scene("7ABC123", plate_width=150, position=(620, 380), seed=4)
    cut = np.asarray(render_plate("6KFA412", width=240))[:, 70:, ::-1]  # `FA412` in view
    frame[120 : 120 + cut.shape[0], : cut.shape[1]] = cut
    reads = engine.read_frame(frame)
    assert reads[0].text == "7ABC123", [(r.text, r.confidence) for r in reads]


def test_threads_and_top_n_are_honoured():
    engine = get_engine("default", threads=2, top_n=3)
    frame, _ = render_scene("7ABC123")
    reads = engine.read_frame(frame)
    assert all(len(r.candidates) <= 3 for r in reads)


def test_a_closer_look_reads_the_plate_where_it_is_in_the_frame(engine):
    """The upscaled crop around an unsure line is read, and its box is the frame's plate."""
    frame, (x, y, w, h) = render_scene("8XYZ042", plate_width=150, seed=2)
    lines = [line for line in engine.detector.detect(frame) if _covers(line, x + w / 2, y + h / 2)]
    assert lines, "the plate's line was not detected"
    reads = engine._read_closer(frame, lines[0])
    assert reads
    assert reads[0].text == "8XYZ042"
    assert reads[0].box.contains(x + w / 2, y + h / 2)
    assert reads[0].box.width < 2 * w


def test_a_closer_look_names_the_car_s_colour_as_the_first_look_does(engine):
    """GIVEN a red car WHEN its plate is read at the first look and again from the upscaled
    crop THEN both reads name the car red: the closer look measures the colour on the frame,
    around the plate's character line, not on the crop."""
    frame, (x, y, w, h) = render_scene("8XYZ042", plate_width=150, seed=2)
    lines = engine.detector.detect(frame)
    first = engine._read_lines(frame, lines)
    plate_line = next(line for line in lines if _covers(line, x + w / 2, y + h / 2))
    closer = engine._read_closer(frame, plate_line)
    assert first[0].color.name == closer[0].color.name == "red"


def test_a_plate_barely_lighter_than_the_dusk_around_it_is_read(engine):
    """GIVEN a scene at dusk, its plate a few grey levels off its surroundings, slightly
    blurred and noisy, where the detector finds no text at all WHEN read THEN the plate is
    read from the frame with its contrast equalised, its box on the plate."""
    import cv2

    frame, (x, y, w, h) = render_scene("7ABC123", seed=5)
    dusk = cv2.GaussianBlur(40 + 0.03 * frame.astype(np.float32), (0, 0), 1.5)
    dusk += np.random.default_rng(0).normal(0, 1.0, dusk.shape)
    dusk = np.clip(dusk, 0, 255).astype(np.uint8)
    assert not engine.detector.detect(dusk), "the plain look already sees the plate"
    reads = engine.read_frame(dusk)
    assert [read.text for read in reads[:1]] == ["7ABC123"]
    assert reads[0].box.contains(x + w / 2, y + h / 2)


def _covers(line, cx, cy):
    x0, y0 = line.quad.min(axis=0)
    x1, y1 = line.quad.max(axis=0)
    return x0 <= cx <= x1 and y0 <= cy <= y1


def test_lines_left_out_unread_change_no_other_line_s_reading(engine):
    """GIVEN a plate with its state name above WHEN every candidate but the narrowest line is
    left out unread THEN that line reads exactly as it does among the others (each line is
    read at its own width, padded to the recogniser's, whatever else is read with it)."""
    frame, _ = render_scene("5RIN962", plate_width=300)
    lines = engine.detector.detect(frame)
    every = engine.read_candidates(frame, lines)
    assert len(every) > 1
    alone = min(every, key=lambda reading: np.ptp(reading.quad[:, 0]))

    def elsewhere(quad):
        return not np.allclose(quad, alone.quad)

    kept = engine.read_candidates(frame, lines, skip=elsewhere)
    assert len(kept) == 1
    assert kept[0].scored == alone.scored
    assert kept[0].cues == alone.cues


def test_a_closer_look_does_not_read_again_a_plate_already_read(engine):
    frame, (x, y, w, h) = render_scene("8XYZ042", plate_width=150, seed=2)
    lines = [line for line in engine.detector.detect(frame) if _covers(line, x + w / 2, y + h / 2)]
    first = engine._read_closer(frame, lines[0])
    assert first[0].text == "8XYZ042"
    again = engine._read_closer(frame, lines[0], known=[first[0].box])
    assert all(not first[0].box.contains(*_centre(read.box)) for read in again)


def _centre(box):
    return box.x + box.width / 2, box.y + box.height / 2


def test_a_line_the_plate_reader_cannot_read_is_not_read_further(engine, monkeypatch):
    """GIVEN a plate and a row of symbols the detector takes for text WHEN read THEN the general
    recogniser reads the plate's lines only (reading the symbols, it would spell them `0M80`),
    and the plate reads as it would with every line read."""
    import cv2

    frame, _ = render_scene("7ABC123", plate_width=200, seed=5)
    cv2.putText(frame, "~@~%~&~@~", (60, 120), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3)
    lines = engine.detector.detect(frame)
    every_line = get_engine(
        "default",
        country="us",
        settings=replace(DefaultSettings(), min_plate_reader_score=-math.inf),
    )
    read_all = {r.cues.text: r for r in every_line.read_candidates(frame, lines)}
    general_reads: list[int] = []
    read_by_general = engine.line_reader.log_probs

    def counted(crops):
        general_reads.append(len(crops))
        return read_by_general(crops)

    monkeypatch.setattr(engine.line_reader, "log_probs", counted)
    kept = engine.read_candidates(frame, lines)
    assert "0M80" in read_all
    assert [r.cues.text for r in kept] == ["7ABC123", "CALF0RNA"]
    assert general_reads == [2]
    assert kept[0].scored == read_all["7ABC123"].scored


def test_a_plate_too_small_for_the_first_look_is_read_where_the_finder_marks_it(engine):
    """GIVEN a 1920x1080 frame whose plate is 70 px wide WHEN read THEN the 800 px look finds no
    line to read, and the window around the place the plate finder marks reads the plate."""
    frame, (x, y, w, h) = small_plate_scene()
    assert engine.read_candidates(frame, engine.detector.detect(frame)) == []
    reads = engine.read_frame(frame)
    assert reads[0].text == "7ABC123"
    assert reads[0].box.contains(x + w / 2, y + h / 2)

"""The plate finder marks where plates are, before any character is read."""

from __future__ import annotations

import numpy as np
import pytest

from platekeeper.recognition.finder import PlateFinder

from .conftest import small_plate_scene


@pytest.fixture(scope="module")
def finder():
    return PlateFinder()


def test_the_most_likely_place_is_the_small_plate(finder):
    frame, (x, y, w, h) = small_plate_scene()
    first = finder.find(frame, limit=3, min_score=0.05)[0]
    assert abs(first.x - (x + w / 2)) <= w / 2
    assert abs(first.y - (y + h / 2)) <= h


def test_places_are_most_likely_first_in_the_frame_and_above_the_floor(finder):
    frame, _ = small_plate_scene()
    spots = finder.find(frame, limit=4, min_score=0.01)
    scores = [spot.score for spot in spots]
    assert 0 < len(spots) <= 4
    assert scores == sorted(scores, reverse=True)
    assert min(scores) >= 0.01
    assert all(0 <= s.x < frame.shape[1] and 0 <= s.y < frame.shape[0] for s in spots)


def test_a_plain_frame_holds_no_plate(finder):
    assert finder.find(np.full((720, 1280, 3), 127, np.uint8), limit=3, min_score=0.05) == []


def test_a_strip_too_thin_at_the_finders_scale_holds_no_plate(finder):
    assert finder.find(np.full((4, 6000, 3), 200, np.uint8), limit=3, min_score=0.05) == []

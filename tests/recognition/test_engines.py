"""The engine contract, checked on every registered engine, and the registry."""

from __future__ import annotations

import re

import numpy as np
import pytest

from platekeeper.recognition import Engine, available_engines, get_engine, register_engine
from platekeeper.recognition.results import PlateRead

from .conftest import render_scene

PLATE_TEXT = re.compile(r"^[A-Z0-9]+$")


def _engine(name: str) -> Engine:
    if name == "fake":
        return get_engine("fake", plates={"7ABC123": (360, 380, 240, 120)}, top_n=5)
    return get_engine(name, top_n=5)


#: Every engine registered when this module is collected (the built-in ones and any that test
#: modules imported earlier registered, such as the agent's "blocks"): each is held to the contract.
ENGINES = available_engines()
#: The engines that read real photos; test doubles that decode their own markings are not.
PHOTO_READERS = ("default", "naive", "fake")


def check_contract(reads: list[PlateRead], top_n: int, frame: np.ndarray) -> None:
    """The output half of the `Engine` docstring's contract."""
    height, width = frame.shape[:2]
    for read in reads:
        assert PLATE_TEXT.match(read.text), read.text
        assert read.candidates, "a read has at least its own text as a candidate"
        assert read.candidates[0].text == read.text
        assert read.confidence == read.candidates[0].confidence
        assert len(read.candidates) <= top_n
        confidences = [c.confidence for c in read.candidates]
        assert confidences == sorted(confidences, reverse=True)
        assert all(0.0 <= c <= 1.0 for c in confidences)
        assert sum(confidences) <= 1.0 + 1e-6
        if read.box is not None:  # in the coordinates of the frame given (a margin for growth)
            for x, y in read.box.corners:
                assert -0.25 * width <= x <= 1.25 * width, read.box
                assert -0.25 * height <= y <= 1.25 * height, read.box
    overall = [r.confidence for r in reads]
    assert overall == sorted(overall, reverse=True), "reads must come most confident first"


def test_every_builtin_engine_is_checked():
    assert set(PHOTO_READERS) <= set(ENGINES)


@pytest.mark.parametrize("name", ENGINES)
def test_engine_honours_the_contract_on_a_plate_scene(name):
    """GIVEN a rendered scene WHEN an engine reads it THEN its reads follow the contract and
    the frame it was given is unchanged."""
    frame, _ = render_scene("7ABC123")
    before = frame.copy()
    engine = _engine(name)
    reads = engine.read_frame(frame)
    check_contract(reads, top_n=5, frame=frame)
    assert np.array_equal(frame, before)
    if name in PHOTO_READERS:
        assert reads
        assert reads[0].text == "7ABC123"


@pytest.mark.parametrize("name", PHOTO_READERS)
def test_engine_returns_nothing_for_an_empty_frame(name):
    engine = _engine(name)
    if name == "fake":
        engine.plates = {}
    assert engine.read_frame(np.full((480, 640, 3), 90, dtype=np.uint8)) == []


@pytest.mark.parametrize("name", ["default", "naive"])
@pytest.mark.parametrize("shape", [(4, 6000, 3), (6000, 4, 3), (1, 1, 3)])
def test_engine_reads_nothing_from_a_strip_without_failing(name, shape):
    """A frame too thin to hold a plate (a cropped strip, a corrupt camera frame) reads as no
    plate; the finder and rapidocr's own scaling used to fail on it."""
    assert _engine(name).read_frame(np.full(shape, 200, dtype=np.uint8)) == []


def test_registry_lists_and_refuses():
    assert {"default", "fake", "naive"} <= set(available_engines())
    with pytest.raises(ValueError, match="unknown recognition engine 'nope'"):
        get_engine("nope")
    with pytest.raises(ValueError, match="country"):
        get_engine("fake", country="mars")
    with pytest.raises(ValueError, match="threads"):
        get_engine("fake", threads=0)


def test_a_name_cannot_be_taken_twice():
    with pytest.raises(ValueError, match="taken"):

        @register_engine("fake")
        class Impostor(Engine):
            def read_frame(self, frame):
                return []


def test_read_image_accepts_paths_and_refuses_missing_files(tmp_path):
    import cv2

    frame, _ = render_scene("7ABC123")
    path = tmp_path / "scene.png"
    cv2.imwrite(str(path), frame)
    engine = _engine("fake")
    assert engine.read_image(path)[0].text == "7ABC123"
    with pytest.raises(FileNotFoundError):
        engine.read_image(tmp_path / "missing.jpg")
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(ValueError, match="not a readable image"):
        engine.read_image(tmp_path / "broken.jpg")
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(ValueError, match="not a readable image"):
        engine.read_image(tmp_path / "empty.jpg")

"""The default engine's scoring pieces: glyph merging, plate-likeness cues, geometry."""

from __future__ import annotations

import numpy as np

from platekeeper.recognition.ctc import ALPHABET, sequence_log_prob
from platekeeper.recognition.engines.default import (
    _cut_by_frame,
    _grow_to_characters,
    _has_light_text,
    _merge_glyphs,
    _pool_where_prior_is_sure,
    _spellings,
)
from platekeeper.recognition.geometry import grow_quad, rectify
from platekeeper.recognition.syntax import syntax_for


def _spell(text: str) -> np.ndarray:
    rows = []
    for char in text:
        row = np.full(1 + len(ALPHABET), 0.002)
        row[1 + ALPHABET.index(char)] = 0.9
        rows.append(row / row.sum())
        blank = np.full(1 + len(ALPHABET), 0.002)
        blank[0] = 0.9
        rows.append(blank / blank.sum())
    return np.log(np.array(rows))


def test_merged_glyphs_let_the_prior_choose_o_or_zero():
    """GIVEN a reader sure of `RK896A0` WHEN O/0 are merged THEN both spellings score the same
    and the EU prior prefers a letter at the letter position."""
    merged = _merge_glyphs(_spell("RK896A0"))
    assert sequence_log_prob(merged, "RK896A0") == sequence_log_prob(merged, "RK896AO")
    eu = syntax_for("eu")
    assert eu.log_prior("RK896AO") > eu.log_prior("RK896A0")


def test_spellings_spell_every_o_and_zero_both_ways():
    assert _spellings("A0O1") == {"A001", "A0O1", "AO01", "AOO1"}
    assert len(_spellings("0000000")) == 8  # capped at three ambiguous positions


def test_spellings_spell_every_i_and_one_both_ways_when_asked():
    assert _spellings("AI1", "I1") == {"AI1", "AII", "A11", "A1I"}
    assert len(_spellings("1111", "I1", limit=2)) == 4


def test_a_sure_prior_chooses_i_or_one_and_an_unsure_one_leaves_it_to_the_readers():
    """GIVEN readers leaning to `RK776A1` over `RK776AI` (a Slovak letter position) WHEN the EU
    prior is sure THEN the letter gets both spellings' evidence; the vanity `BIMMIAN`, which the
    prior finds about as likely as `B1MM1AN`, keeps its own."""
    eu = syntax_for("eu")
    evidence = {"RK776A1": -1.0, "RK776AI": -1.5, "B1MM1AN": -1.0, "BIMMIAN": -1.5}
    prior = {text: eu.log_prior(text) for text in evidence}
    pooled = _pool_where_prior_is_sure(evidence, prior, margin=2.0)
    assert pooled["RK776AI"] == np.logaddexp(-1.0, -1.5)
    assert pooled["RK776A1"] == -1.0
    assert pooled["BIMMIAN"] == -1.5
    assert pooled["B1MM1AN"] == -1.0


def test_us_reads_fold_o_into_zero():
    assert syntax_for("us").fold("SHOR7X") == "SH0R7X"
    assert syntax_for("eu").fold("SHOR7X") == "SHOR7X"


def test_light_text_is_told_from_dark_text():
    dark_on_light = np.full((48, 160, 3), 230, dtype=np.uint8)
    dark_on_light[14:34, 10:150:20] = 20  # strokes
    assert not _has_light_text(dark_on_light)
    assert _has_light_text(255 - dark_on_light)


def test_grow_and_rectify_a_rotated_quad():
    image = np.zeros((200, 300, 3), dtype=np.uint8)
    image[80:120, 100:200] = 255
    quad = np.array([[100, 80], [200, 80], [200, 120], [100, 120]], dtype=np.float32)
    grown = grow_quad(quad, width_factor=1.2, height_factor=2.0)
    assert np.allclose(grown[0], [90, 60])
    assert np.allclose(grown[2], [210, 140])
    crop = rectify(image, quad, height=20)
    assert crop.shape == (20, 50, 3)
    assert crop.mean() > 240


def test_a_line_reaching_the_frames_edge_is_cut():
    """Lines whose box reaches within a pixel of any edge (or past it) are cut; others not."""

    def quad(x0, y0, x1, y1):
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)

    shape = (480, 640, 3)
    assert not _cut_by_frame(quad(10, 10, 100, 40), shape)
    assert _cut_by_frame(quad(-2.5, 100, 50, 130), shape)
    assert _cut_by_frame(quad(600, 100, 639, 130), shape)
    assert _cut_by_frame(quad(100, 0.5, 200, 30), shape)
    assert _cut_by_frame(quad(100, 450, 200, 479), shape)


def _plate_scene() -> tuple[np.ndarray, np.ndarray]:
    """A light plate in a dark frame on a dark car: a half-height emblem, six characters and a
    thin last `I`, with the detector's line stopping after the sixth character."""
    image = np.full((120, 400, 3), 60, dtype=np.uint8)
    image[30:90, 40:360] = 220
    image[30:90, 40:44] = image[30:90, 356:360] = 20  # the frame's sides
    image[30:33, 40:360] = image[87:90, 40:360] = 20  # its top and bottom
    image[40:56, 47:53] = 20  # an emblem, half a character high
    for x in range(60, 300, 40):
        image[40:80, x : x + 20] = 20
    image[40:80, 303:308] = 20  # the thin `I`
    line = np.array([[57, 38], [283, 38], [283, 82], [57, 82]], dtype=np.float32)
    return image, line


def test_a_line_grows_over_a_character_the_detector_left_out():
    """GIVEN a line ending one character short of the plate's last `I` WHEN grown THEN it takes
    in the `I` but neither the frame's side nor the emblem, and keeps its height."""
    image, line = _plate_scene()
    grown = _grow_to_characters(image, line, reach=2.5)
    assert 308 <= grown[1, 0] < 320
    assert 308 <= grown[2, 0] < 320
    assert np.allclose(grown[[0, 3]], line[[0, 3]])
    assert np.allclose(grown[:, 1], line[:, 1])


def test_a_line_holding_every_character_stays_as_it_is():
    image, line = _plate_scene()
    line[[1, 2], 0] = 312
    assert np.array_equal(_grow_to_characters(image, line, reach=2.5), line)
    assert np.array_equal(_grow_to_characters(image, line, reach=0.0), line)

"""The general recogniser reads a line the same whatever else it reads with it."""

from __future__ import annotations

import numpy as np

from platekeeper.recognition.ctc import greedy_decode
from platekeeper.recognition.readers import TextLineReader

from .conftest import render_plate


def _line(text: str, width: int) -> np.ndarray:
    """The character band of a rendered plate, BGR."""
    plate = np.asarray(render_plate(text, width=width))[:, :, ::-1]
    height = plate.shape[0]
    return np.ascontiguousarray(plate[int(0.3 * height) : int(0.8 * height)])


def test_a_line_reads_the_same_alone_and_beside_a_wider_line():
    """GIVEN a plate's line WHEN it is read alone and in one call with a much wider line THEN
    its read is the same: each crop is padded to the recogniser's own width, not to the
    widest crop of the call."""
    reader = TextLineReader()
    line = _line("7ABC123", 240)
    wide = np.concatenate([_line("4GLS168", 240)] * 3, axis=1)
    alone = reader.log_probs([line])[0]
    together = reader.log_probs([wide, line])[1]
    np.testing.assert_allclose(together, alone, atol=1e-4)
    assert greedy_decode(alone) == "7ABC123"

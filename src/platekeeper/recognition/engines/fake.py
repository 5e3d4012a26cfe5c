"""A fake engine for tests: reads plates drawn by `render_test_plate`-style fixtures, no models.

It "reads" what it was told to: construct it with `plates={"7ABC123": (x, y, w, h)}` (or set
`engine.plates` later) and every frame returns those plates, with a second candidate that swaps
the first look-alike character, so code consuming candidates has something to rank.
"""

from __future__ import annotations

import numpy as np

from platekeeper.recognition.engine import Engine, register_engine
from platekeeper.recognition.results import Box, Candidate, PlateRead
from platekeeper.recognition.syntax import LOOKALIKES


@register_engine("fake")
class FakeEngine(Engine):
    """Returns the configured plates for every frame; records how many frames it saw."""

    def __init__(
        self,
        *,
        plates: dict[str, tuple[float, float, float, float]] | None = None,
        confidence: float = 0.9,
        **options,
    ) -> None:
        super().__init__(**options)
        self.plates = dict(plates or {})
        self.confidence = confidence
        self.frames_seen = 0

    def read_frame(self, frame: np.ndarray) -> list[PlateRead]:
        if frame.ndim != 3 or frame.shape[2] != 3:
            raise ValueError("frames must be BGR (H, W, 3) arrays")
        self.frames_seen += 1
        reads = []
        for text, (x, y, w, h) in self.plates.items():
            candidates = [Candidate(text=text, confidence=self.confidence)]
            swapped = _swap_first_lookalike(text)
            if swapped != text and self.top_n > 1:
                candidates.append(Candidate(text=swapped, confidence=round(1 - self.confidence, 4)))
            box = Box.from_bounds(x, y, x + w, y + h)
            crop = frame[int(y) : int(y + h), int(x) : int(x + w)].copy()
            reads.append(
                PlateRead(
                    text=text,
                    confidence=self.confidence,
                    candidates=tuple(candidates),
                    box=box,
                    region=self.country,
                    crop=crop,
                )
            )
        return reads


def _swap_first_lookalike(text: str) -> str:
    for i, char in enumerate(text):
        if char in LOOKALIKES:
            return text[:i] + LOOKALIKES[char] + text[i + 1 :]
    return text

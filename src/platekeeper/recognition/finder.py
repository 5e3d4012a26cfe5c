"""Where the plates are: a tiny network that marks plate centres in a frame.

The text detector finds a plate by its characters, and on the frame scaled to 800 px a small
plate's characters are too small for it; looking at the whole frame again at 1280 px finds them
but costs more than the rest of the photo. The plate finder sees a plate as an object (a light
rectangle with a row of marks) on the grey frame at 640 px, for about a tenth of that, and the
engine reads a window around each place it marks at the frame's own resolution.

It is trained by `scripts/recognition/train_finder.py` on the Brazilian benchmark photos with
real US plate crops composited into them (never on the development photos) and ships as
`models/plate_finder.onnx` with its input description in `models/plate_finder.json`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from platekeeper.recognition.sessions import session, shipped_model_path

FINDER_MODEL = "plate_finder.onnx"


@dataclass(frozen=True)
class Spot:
    """A place the finder marks as a plate's centre, in frame pixels, and how surely."""

    x: float
    y: float
    score: float  # the finder's probability that a plate is centred in this cell


class PlateFinder:
    """Runs the plate finder on BGR frames; the model is loaded on first use."""

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads
        self._session = None
        self._meta: dict = {}

    def _model(self):
        if self._session is None:
            path = shipped_model_path(FINDER_MODEL)
            self._meta = json.loads(path.with_suffix(".json").read_text())
            self._session = session(path, threads=self.threads)
        return self._session

    def find(self, frame: np.ndarray, *, limit: int, min_score: float) -> list[Spot]:
        """The `limit` most likely plate centres in `frame` with at least `min_score`, most
        likely first (local maxima of the finder's map, one per 3x3 cells)."""
        import cv2  # heavy; imported when first used

        model = self._model()
        side, stride = int(self._meta["input_side"]), int(self._meta["stride"])
        gray = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        scale = side / max(gray.shape[:2])
        if round(min(gray.shape[:2]) * scale) < 1:
            return []  # a strip that vanishes at the finder's scale holds no plate it can see
        small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        height, width = small.shape
        # Grey padding (0 once normalised) to a multiple of 16 px; its cells are dropped below.
        padded = np.zeros((-(-height // 16) * 16, -(-width // 16) * 16), dtype=np.float32)
        padded[:height, :width] = small.astype(np.float32) / 127.5 - 1.0
        logits = model.run(None, {model.get_inputs()[0].name: padded[None, None]})[0][0, 0]
        # Cells of the padding are not in the frame.
        logits = logits[: -(-height // stride), : -(-width // stride)]
        heat = 1.0 / (1.0 + np.exp(-logits))
        peaks = (heat >= cv2.dilate(heat, np.ones((3, 3), np.uint8))) & (heat >= min_score)
        rows, columns = np.nonzero(peaks)
        best = np.argsort(-heat[rows, columns], kind="stable")[:limit]
        return [
            Spot(
                x=float((columns[i] + 0.5) * stride / scale),
                y=float((rows[i] + 0.5) * stride / scale),
                score=float(heat[rows[i], columns[i]]),
            )
            for i in best
        ]

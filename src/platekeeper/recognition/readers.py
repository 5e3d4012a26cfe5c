"""Character readers: turn a plate crop into per-step log probabilities over the plate alphabet.

Two readers share one output form, `(steps, 1 + 36)` log probabilities with the CTC blank first,
so that `ctc.py` can decode either and each can score the other's candidates:

* `TextLineReader`: the general PP-OCRv4 recogniser from `rapidocr_onnxruntime`, restricted to
  A-Z/0-9. Lower-case letters count as their capitals; punctuation, spaces and other scripts
  count as blank, so separators and emblems are skipped rather than read as characters.
* `PlateCharReader`: the small CRNN trained on plates by `scripts/recognition/train_reader.py`,
  shipped in `models/plate_reader.onnx`.
"""

from __future__ import annotations

import json

import numpy as np

from platekeeper.recognition.ctc import ALPHABET
from platekeeper.recognition.sessions import rapidocr_model_path, session, shipped_model_path

RECOGNISER_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
PLATE_READER_MODEL = "plate_reader.onnx"


class TextLineReader:
    """The PP-OCRv4 recogniser, 48 px high input, read as plate characters."""

    height = 48
    min_width = 320  # the width PP-OCR pads its lines to, as the recogniser was trained
    max_width = 640  # wider crops are narrowed to this

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads
        self._session = None
        self._projection: np.ndarray | None = None

    def _model(self):
        if self._session is None:
            model = session(
                rapidocr_model_path(RECOGNISER_MODEL), threads=self.threads, simplify=True
            )
            characters = model.get_modelmeta().custom_metadata_map["character"].splitlines()
            classes = ["blank", *characters, " "]
            # Matrix summing the model's classes into blank + ALPHABET.
            projection = np.zeros((len(classes), 1 + len(ALPHABET)), dtype=np.float32)
            for index, char in enumerate(classes):
                upper = char.upper()
                if len(upper) == 1 and upper in ALPHABET:
                    projection[index, 1 + ALPHABET.index(upper)] = 1.0
                else:
                    projection[index, 0] = 1.0
            self._projection = projection
            self._session = model
        return self._session

    @classmethod
    def input_width(cls, crop: np.ndarray) -> int:
        """The width `crop` is read at (its aspect ratio kept at the model's height)."""
        return max(cls.height, round(crop.shape[1] * cls.height / max(1, crop.shape[0])))

    def log_probs(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Read BGR crops (each already rectified to the text line); one matrix per crop.

        Each crop is read at its own width (at most `max_width`, narrowed beyond), padded to
        `min_width` when narrower, as PP-OCR itself reads lines: the recogniser attends across
        the padding, so a crop read at its bare width, or padded to a wider neighbour's, reads
        differently. A crop's read thus depends on it alone; crops read at the same width share
        a batch.
        """
        if not crops:
            return []
        widths = [min(self.input_width(crop), self.max_width) for crop in crops]
        padded = [max(width, self.min_width) for width in widths]
        out: list[np.ndarray] = [np.empty(0)] * len(crops)
        for batch_width in sorted(set(padded)):
            members = [i for i, width in enumerate(padded) if width == batch_width]
            reads = self._read_batch([crops[i] for i in members], [widths[i] for i in members])
            for i, read in zip(members, reads, strict=True):
                out[i] = read
        return out

    def _read_batch(self, crops: list[np.ndarray], widths: list[int]) -> list[np.ndarray]:
        """Read crops resized to `widths` in one batch, padded to the widest or `min_width`."""
        import cv2  # heavy; imported when first used

        model = self._model()
        batch_width = max(*widths, self.min_width)
        batch = np.zeros((len(crops), 3, self.height, batch_width), dtype=np.float32)
        for i, (crop, w) in enumerate(zip(crops, widths, strict=True)):
            resized = cv2.resize(crop, (w, self.height), interpolation=cv2.INTER_LINEAR)
            batch[i, :, :, :w] = (resized.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)
        probs = model.run(None, {model.get_inputs()[0].name: batch})[0]
        projection = self._projection
        if projection is None:  # pragma: no cover - set by _model()
            raise RuntimeError("recogniser not loaded")
        return [
            np.log(np.clip(probs[i, : max(1, int(np.ceil(w / 8)))] @ projection, 1e-9, None))
            for i, w in enumerate(widths)
        ]


class PlateCharReader:
    """The plate-specific CRNN (grayscale, fixed input size, contrast-normalised per crop)."""

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads
        self._session = None
        self._meta: dict | None = None

    @staticmethod
    def available() -> bool:
        try:
            shipped_model_path(PLATE_READER_MODEL)
        except RuntimeError:
            return False
        return True

    def _model(self):
        if self._session is None:
            path = shipped_model_path(PLATE_READER_MODEL)
            meta = json.loads(path.with_suffix(".json").read_text())
            if meta["alphabet"] != ALPHABET or meta["blank"] != 0:
                raise RuntimeError(f"{path} was trained for another alphabet; retrain it")
            self._meta = meta
            self._session = session(path, threads=self.threads)
        return self._session

    def log_probs(self, crops: list[np.ndarray]) -> list[np.ndarray]:
        """Read BGR plate crops (the plate with a small margin); one matrix per crop."""
        import cv2  # heavy; imported when first used

        if not crops:
            return []
        model = self._model()
        meta = self._meta or {}
        h, w = meta["input_height"], meta["input_width"]
        batch = np.zeros((len(crops), 1, h, w), dtype=np.float32)
        for i, crop in enumerate(crops):
            gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
            small = cv2.resize(gray, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32)
            batch[i, 0] = (small - small.mean()) / (small.std() + 8.0)
        logits = model.run(None, {model.get_inputs()[0].name: batch})[0]
        shifted = logits - logits.max(axis=2, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))
        return list(log_probs)

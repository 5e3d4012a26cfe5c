"""The baseline engine: rapidocr's own pipeline, every text line read, the most plate-like kept.

This is the "naive pipeline" the recognition issue measures against (text detection on the whole
photo with the shorter side at 736 px, angle classifier, recogniser, greedy decoding). It stays
as an engine so that the benchmark measures the baseline in the same run as the default engine.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from platekeeper.recognition.engine import Engine, register_engine
from platekeeper.recognition.results import Box, Candidate, PlateRead

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")


@register_engine("naive")
class NaiveEngine(Engine):
    """`rapidocr_onnxruntime.RapidOCR` as shipped; plate choice by length, digits and score."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._ocr = None

    def _model(self):
        if self._ocr is None:
            from rapidocr_onnxruntime import RapidOCR  # heavy; imported when first used

            self._ocr = RapidOCR(intra_op_num_threads=self.threads, inter_op_num_threads=1)
        return self._ocr

    def read_frame(self, frame: np.ndarray) -> list[PlateRead]:
        ocr = self._model()
        from rapidocr_onnxruntime.utils.process_img import ResizeImgError

        try:
            result, _ = ocr(frame)
        except ResizeImgError:
            return []  # a strip too thin for rapidocr to scale holds no plate
        reads: list[PlateRead] = []
        for points, raw_text, score in result or []:
            text = _NOT_ALNUM.sub("", str(raw_text).upper())
            if not 4 <= len(text) <= 8:
                continue
            # Plates carry digits: a line with one outranks any line without. The confidence is
            # that ranking scaled into [0, 1], so that reads come most confident first.
            plausibility = float(score) + (0.5 if any(c.isdigit() for c in text) else 0.0)
            confidence = round(plausibility / 1.5, 4)
            reads.append(
                PlateRead(
                    text=text,
                    confidence=confidence,
                    candidates=(Candidate(text=text, confidence=confidence),),
                    box=Box.from_points(points),
                    region=self.country,
                )
            )
        reads.sort(key=lambda read: -read.confidence)
        return reads

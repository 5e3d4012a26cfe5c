"""Text-line localisation with the PP-OCRv4 detector shipped in `rapidocr_onnxruntime`.

The detector outputs a per-pixel text probability map; lines are the connected regions of that
map, grown by the DB "unclip" rule and returned as rotated rectangles. Plates are found among
these lines later, by geometry and by what they read.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from platekeeper.recognition.sessions import rapidocr_model_path, session

DETECTOR_MODEL = "ch_PP-OCRv4_det_infer.onnx"


@dataclass(frozen=True, eq=False)
class TextLine:
    """A detected text line: its corners (TL, TR, BR, BL, in image pixels) and mean probability."""

    quad: np.ndarray  # float32 (4, 2)
    score: float

    @property
    def width(self) -> float:
        return float(np.linalg.norm(self.quad[1] - self.quad[0]))

    @property
    def height(self) -> float:
        return float(np.linalg.norm(self.quad[3] - self.quad[0]))


def order_corners(points: np.ndarray) -> np.ndarray:
    """Order four points as top-left, top-right, bottom-right, bottom-left."""
    points = np.asarray(points, dtype=np.float32).reshape(4, 2)
    by_x = points[np.argsort(points[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1])]
    tr, br = right[np.argsort(right[:, 1])]
    return np.array([tl, tr, br, bl], dtype=np.float32)


class TextDetector:
    """Runs the detector on a BGR image scaled so its longer side is at most `max_side`."""

    def __init__(
        self,
        *,
        max_side: int = 960,
        threads: int = 1,
        pixel_threshold: float = 0.3,
        box_threshold: float = 0.5,
        unclip_ratio: float = 1.6,
        min_height: float = 6.0,
    ) -> None:
        self.max_side = max_side
        self.threads = threads
        self.pixel_threshold = pixel_threshold
        self.box_threshold = box_threshold
        self.unclip_ratio = unclip_ratio
        self.min_height = min_height
        self._session = None

    def _model(self):
        if self._session is None:
            self._session = session(
                rapidocr_model_path(DETECTOR_MODEL), threads=self.threads, simplify=True
            )
        return self._session

    def probability_map(self, image: np.ndarray) -> tuple[np.ndarray, float]:
        """Return the text probability map and the scale from image to map pixels."""
        import cv2  # heavy; imported when first used

        height, width = image.shape[:2]
        scale = min(1.0, self.max_side / max(height, width))
        new_h = max(32, round(height * scale / 32) * 32)
        new_w = max(32, round(width * scale / 32) * 32)
        resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA)
        blob = (resized.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
        model = self._model()
        prob = model.run(None, {model.get_inputs()[0].name: blob})[0][0, 0]
        return prob, new_w / width

    def detect(self, image: np.ndarray) -> list[TextLine]:
        """Return text lines in `image` (BGR uint8), most confident first."""
        import cv2  # heavy; imported when first used

        prob, scale = self.probability_map(image)
        sx = image.shape[1] / prob.shape[1]
        sy = image.shape[0] / prob.shape[0]
        del scale
        mask: np.ndarray = (prob > self.pixel_threshold).astype(np.uint8)
        mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        lines: list[TextLine] = []
        for contour in contours[:1000]:
            if len(contour) < 4:
                continue
            (cx, cy), (w, h), angle = cv2.minAreaRect(contour)
            if min(w, h) < 2:
                continue
            x, y, bw, bh = cv2.boundingRect(contour)
            region = prob[y : y + bh, x : x + bw]
            local = np.zeros((bh, bw), np.uint8)
            cv2.fillPoly(local, [contour.reshape(-1, 2) - [x, y]], 1)
            score = float(region[local > 0].mean()) if local.any() else 0.0
            if score < self.box_threshold:
                continue
            # DB unclip: grow by area * ratio / perimeter on every side.
            grow = (w * h) * self.unclip_ratio / (2 * (w + h))
            rect = ((cx, cy), (w + 2 * grow, h + 2 * grow), angle)
            quad = order_corners(cv2.boxPoints(rect))
            quad[:, 0] *= sx
            quad[:, 1] *= sy
            line = TextLine(quad=quad, score=score)
            if line.height < self.min_height:
                continue
            lines.append(line)
        lines.sort(key=lambda line: -line.score)
        return lines

"""Quadrilateral helpers: growing a text-line box to its plate and rectifying it to a crop."""

from __future__ import annotations

import numpy as np


def grow_quad(quad: np.ndarray, *, width_factor: float, height_factor: float) -> np.ndarray:
    """Scale a (TL, TR, BR, BL) quad about its centre along its own axes."""
    quad = np.asarray(quad, dtype=np.float32)
    centre = quad.mean(axis=0)
    across = ((quad[1] - quad[0]) + (quad[2] - quad[3])) / 2  # left to right
    down = ((quad[3] - quad[0]) + (quad[2] - quad[1])) / 2  # top to bottom
    half_w = across * width_factor / 2
    half_h = down * height_factor / 2
    return np.array(
        [
            centre - half_w - half_h,
            centre + half_w - half_h,
            centre + half_w + half_h,
            centre - half_w + half_h,
        ],
        dtype=np.float32,
    )


def rectify(image: np.ndarray, quad: np.ndarray, *, height: int | None = None) -> np.ndarray:
    """Warp the quad's content to an upright rectangle (replicating the border outside the image).

    The output keeps the quad's own aspect ratio; `height` fixes its height in pixels.
    """
    import cv2  # heavy; imported when first used

    quad = np.asarray(quad, dtype=np.float32)
    width_px = float(max(np.linalg.norm(quad[1] - quad[0]), np.linalg.norm(quad[2] - quad[3])))
    height_px = float(max(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1])))
    out_h = height or max(8, round(height_px))
    out_w = max(8, round(width_px * out_h / max(height_px, 1.0)))
    target = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad, target)
    return cv2.warpPerspective(
        image, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def merge_quads(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The upright box around two quads (for a plate the detector split into two lines)."""
    points = np.vstack([first, second])
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)

"""Vehicle colour from the overview image: the body around and above a plate, named.

A plate sits on the vehicle's body; the paint above it (boot, tailgate, bonnet) and beside it
is the vehicle's colour, with windows, lights, shadows and the plate itself as noise. Every
pixel of that region votes for a colour name by its hue, saturation and brightness, and the
name with most votes wins; its share of the votes is the confidence. No model, no training:
the thresholds are the usual HSV bands, checked against 50 hand-labelled development photos
(`tests/recognition/vehicle_colors.csv`).
"""

from __future__ import annotations

import numpy as np

from platekeeper.recognition.results import Box, VehicleColor

#: The names reported: silver and grey are one (cameras cannot tell them apart).
COLOR_NAMES = (
    "white", "grey", "black", "red", "orange", "brown", "beige", "yellow", "green", "blue",
    "purple",
)  # fmt: skip


#: Share of dark pixels from which a vehicle is called black.
DARK_MAJORITY = 0.55


def body_region(frame_shape: tuple[int, ...], box: Box) -> tuple[int, int, int, int] | None:
    """The (x0, y0, x1, y1) pixels of body paint above `box` (boot, tailgate or bonnet), or
    None when too little of it lies in the frame (a close-up of the plate has no overview)."""
    height, width = frame_shape[:2]
    w, h = box.width, box.height
    cx = box.x + w / 2
    wanted = (cx - 1.3 * w, box.y - 2.5 * h, cx + 1.3 * w, box.y - 0.3 * h)
    x0, y0 = max(0, int(wanted[0])), max(0, int(wanted[1]))
    x1, y1 = min(width, int(wanted[2])), min(height, int(wanted[3]))
    if x1 <= x0 or y1 <= y0:
        return None
    inside = (x1 - x0) * (y1 - y0) / ((wanted[2] - wanted[0]) * (wanted[3] - wanted[1]))
    return (x0, y0, x1, y1) if inside >= 0.3 else None


def _pixel_names(hsv: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES for every pixel of an OpenCV HSV array (H 0-179, S, V 0-255)."""
    hue = hsv[..., 0].astype(np.float32) * 2  # degrees
    sat = hsv[..., 1].astype(np.float32) / 255
    val = hsv[..., 2].astype(np.float32) / 255
    names = np.full(hue.shape, COLOR_NAMES.index("grey"), dtype=np.int8)
    # Cameras tint grey paint blue or warm: weak saturation is no colour yet.
    grey = sat < 0.28 + 0.12 * (val < 0.3)
    names[grey & (val >= 0.66)] = COLOR_NAMES.index("white")
    names[grey & (val < 0.25)] = COLOR_NAMES.index("black")
    coloured = ~grey
    names[coloured & (val < 0.12)] = COLOR_NAMES.index("black")
    lit = coloured & (val >= 0.12)
    warm = (hue >= 15) & (hue < 50)
    bands = (
        ("red", (hue < 15) | (hue >= 335)),
        ("orange", (hue >= 15) & (hue < 40) & (sat >= 0.55) & (val >= 0.55)),
        ("brown", warm & (val < 0.55)),
        ("beige", warm & (sat < 0.55) & (val >= 0.55)),
        ("yellow", (hue >= 50) & (hue < 70)),
        ("green", (hue >= 70) & (hue < 190)),
        ("blue", (hue >= 190) & (hue < 260)),
        ("purple", (hue >= 260) & (hue < 335)),
    )
    for name, band in bands:
        names[lit & band] = COLOR_NAMES.index(name)
    return names


def vehicle_color(frame: np.ndarray, box: Box | None) -> VehicleColor | None:
    """The colour of the vehicle whose plate is at `box` in `frame` (BGR), or None."""
    import cv2  # heavy; imported when first used

    if box is None or box.width < 1 or box.height < 1:
        return None
    region = body_region(frame.shape, box)
    if region is None:
        return None
    x0, y0, x1, y1 = region
    patch = frame[y0:y1, x0:x1]
    scale = min(1.0, 48 / max(patch.shape[:2]))  # colour needs no detail
    if scale < 1.0:
        size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
        patch = cv2.resize(patch, size, interpolation=cv2.INTER_AREA)
    names = _pixel_names(cv2.cvtColor(patch, cv2.COLOR_BGR2HSV)).ravel()
    votes = np.bincount(names, minlength=len(COLOR_NAMES)).astype(np.float64)
    total = votes.sum()
    black = COLOR_NAMES.index("black")
    # Windows, shadows and gaps are dark on every car: black only when most of the body is.
    if votes[black] < DARK_MAJORITY * total:
        votes[black] = 0
    best = int(votes.argmax())
    return VehicleColor(name=COLOR_NAMES[best], confidence=round(float(votes[best] / total), 3))

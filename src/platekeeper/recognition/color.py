"""Vehicle colour from the overview image: the body around a plate, named by a learned classifier.

A plate sits on the vehicle's body; the paint around it (boot, tailgate, bonnet, bumper) is the
vehicle's colour, with windows, lights, grilles, reflections and shadows as noise. Fixed hue and
brightness bands confuse silver with white and black paint with the sky it reflects, so the
name is decided by a multinomial logistic regression over a description of a region: how its
pixels fall into colour bands and Lab colour words, its brightness against the plate's white
ground and the scene's brightest light, its saturation and tint, after a white balance taken
from the plate. No one region is paint on every vehicle (above a front plate is often the
grille, above a rear one on a hatchback the window, beside it the lights), so five regions
around the plate are each named by the same classifier and their probabilities averaged with
fixed weights, the region right above the plate weighing most: a mixture of experts that share
their weights. It is fitted on hand-labelled photos by `scripts/recognition/train_color.py`;
the weights ship as `models/color_classifier.json`. The confidence is the mixture's
probability for the name it reports.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np

from platekeeper.recognition.results import Box, VehicleColor
from platekeeper.recognition.sessions import shipped_model_path

#: The names reported: silver and grey are one (cameras cannot tell them apart).
COLOR_NAMES = (
    "white", "grey", "black", "red", "orange", "brown", "beige", "yellow", "green", "blue",
    "purple",
)  # fmt: skip

CLASSIFIER_MODEL = "color_classifier.json"

#: The body regions described, in plate widths from the plate's centre (x) and plate heights
#: from its top edge (y, negative is up): the paint right above the plate, a little wider
#: (first: it decides whether the image shows the vehicle at all), higher up, beside the plate
#: on either side and below it.
REGIONS = (
    (-0.9, 0.9, -2.0, -0.1),
    (-0.9, 0.9, -4.0, -2.0),
    (-1.5, -0.6, 0.0, 1.0),
    (0.6, 1.5, 0.0, 1.0),
    (-0.9, 0.9, 1.1, 2.5),
)
#: The region right above the plate must lie at least this much in the frame, or the image is
#: a close-up of the plate and no colour is named.
MIN_INSIDE = 0.3
#: Each of the other regions takes part when at least this much of it is in the frame.
MIN_REGION_INSIDE = 0.5
#: Each region's weight in the mixture before the ones outside the frame are dropped (the
#: region above the plate e times as much as each other one: best by cross-validation).
REGION_WEIGHTS = (np.e, 1.0, 1.0, 1.0, 1.0)
#: Largest side, in pixels, a region is shrunk to: colour needs no detail.
PATCH_SIDE = 48

#: Lab colour words: grey levels for weakly coloured pixels, hue x (dark, light) for the rest.
GREY_LEVELS, HUES, CHROMA_MIN = 6, 12, 10.0
N_WORDS = GREY_LEVELS + 2 * HUES
#: Features per region: band shares, brightness, brightness against the scene, saturation,
#: tint, contrast, colour words.
REGION_FEATURES = len(COLOR_NAMES) + 5 + 3 + 4 + 2 + 1 + N_WORDS
N_FEATURES = REGION_FEATURES + 1 + 5 + 3 + 1


def region_bounds(
    frame_shape: tuple[int, ...], box: Box, region: tuple[float, float, float, float]
) -> tuple[tuple[int, int, int, int], float] | None:
    """The (x0, y0, x1, y1) pixels of `region` around `box` clipped to the frame, and the share
    of the region that lies inside it; None when nothing of it does."""
    height, width = frame_shape[:2]
    cx = box.x + box.width / 2
    wanted = (
        cx + region[0] * box.width,
        box.y + region[2] * box.height,
        cx + region[1] * box.width,
        box.y + region[3] * box.height,
    )
    x0, y0 = max(0, int(wanted[0])), max(0, int(wanted[1]))
    x1, y1 = min(width, int(wanted[2])), min(height, int(wanted[3]))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    inside = (x1 - x0) * (y1 - y0) / ((wanted[2] - wanted[0]) * (wanted[3] - wanted[1]))
    return (x0, y0, x1, y1), min(1.0, inside)


def _shrunk(patch: np.ndarray) -> np.ndarray:
    import cv2  # heavy; imported when first used

    scale = min(1.0, PATCH_SIDE / max(patch.shape[:2]))
    if scale >= 1.0:
        return patch
    size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
    return cv2.resize(patch, size, interpolation=cv2.INTER_AREA)


def _pixel_names(hsv: np.ndarray) -> np.ndarray:
    """Index into COLOR_NAMES for every pixel of an OpenCV HSV array (H 0-179, S, V 0-255), by
    the usual hue, saturation and brightness bands."""
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


def _lab_words(lab: np.ndarray) -> np.ndarray:
    """A colour word (0..N_WORDS-1) for every pixel of an OpenCV 8-bit Lab array."""
    light = lab[..., 0].astype(np.float32) / 255
    a = lab[..., 1].astype(np.float32) - 128
    b = lab[..., 2].astype(np.float32) - 128
    hue = (np.degrees(np.arctan2(b, a)) % 360) / 360
    grey_level = np.minimum((light * GREY_LEVELS).astype(np.int64), GREY_LEVELS - 1)
    hue_bin = np.minimum((hue * HUES).astype(np.int64), HUES - 1)
    word = GREY_LEVELS + 2 * hue_bin + (light > 0.5)
    return np.where(np.hypot(a, b) > CHROMA_MIN, word, grey_level)


def _share(indices: np.ndarray, n: int) -> np.ndarray:
    counts = np.bincount(indices.ravel(), minlength=n).astype(np.float64)
    return np.sqrt(counts / max(1.0, counts.sum()))


def describe_region(patch: np.ndarray, scene_white: float) -> np.ndarray:
    """REGION_FEATURES numbers describing a BGR patch (see the module docstring for why)."""
    import cv2  # heavy; imported when first used

    lab = cv2.cvtColor(patch, cv2.COLOR_BGR2LAB)
    pixels = lab.reshape(-1, 3).astype(np.float64)
    light = pixels[:, 0] / 255
    a, b = pixels[:, 1] - 128, pixels[:, 2] - 128
    chroma = np.hypot(a, b)
    return np.concatenate(
        [
            _share(_pixel_names(cv2.cvtColor(patch, cv2.COLOR_BGR2HSV)), len(COLOR_NAMES)),
            np.percentile(light, [10, 25, 50, 75, 90]),
            np.percentile(light, [10, 50, 90]) / max(scene_white, 0.2),
            np.percentile(chroma, [25, 50, 75, 90]) / 30,
            [np.median(a) / 30, np.median(b) / 30, np.std(light)],
            _share(_lab_words(lab), N_WORDS),
        ]
    )


def _plate_patch(frame: np.ndarray, box: Box) -> np.ndarray | None:
    height, width = frame.shape[:2]
    x0, y0 = max(0, int(box.x)), max(0, int(box.y))
    x1, y1 = min(width, int(box.x + box.width)), min(height, int(box.y + box.height))
    return _shrunk(frame[y0:y1, x0:x1]) if x1 > x0 and y1 > y0 else None


def white_balance_gains(plate: np.ndarray | None) -> np.ndarray:
    """Per-channel (B, G, R) gains that make the plate's ground grey: the brightest 40% of its
    pixels, which on almost every plate is white paint under the same light as the body.
    Limited to 0.8-1.25 so that a coloured plate cannot repaint the car."""
    if plate is None:
        return np.ones(3)
    pixels = plate.reshape(-1, 3).astype(np.float64)
    brightness = pixels.sum(axis=1)
    ground = pixels[brightness >= np.percentile(brightness, 60)].mean(axis=0)
    return np.clip(ground.mean() / np.maximum(ground, 1.0), 0.8, 1.25)


def _balanced(patch: np.ndarray, gains: np.ndarray) -> np.ndarray:
    return np.clip(patch * gains, 0, 255).astype(np.uint8)


def _scene_light(frame: np.ndarray, plate: np.ndarray | None, gains: np.ndarray) -> np.ndarray:
    """The scene's brightest light (L 0..1) and the plate's white ground after balancing
    (L 0..1, a / 30, b / 30): what paint is as bright as or darker than."""
    import cv2  # heavy; imported when first used

    # Every n-th pixel is enough for the scene's brightest light, and costs no pass over it all.
    step = max(1, min(frame.shape[:2]) // 48)
    thumbnail = _balanced(np.ascontiguousarray(frame[::step, ::step]), gains)
    scene_white = float(np.percentile(cv2.cvtColor(thumbnail, cv2.COLOR_BGR2LAB)[..., 0], 99))
    ground = np.array([0.8, 0.0, 0.0])
    if plate is not None:
        lab = cv2.cvtColor(_balanced(plate, gains), cv2.COLOR_BGR2LAB).reshape(-1, 3)
        lab = lab.astype(np.float64)
        mean = lab[lab[:, 0] >= np.percentile(lab[:, 0], 60)].mean(axis=0)
        ground = np.array([max(mean[0] / 255, 0.2), (mean[1] - 128) / 30, (mean[2] - 128) / 30])
    return np.array([scene_white / 255, *ground])


def _region_features(
    frame: np.ndarray, pixels: tuple[int, int, int, int], inside: float, light: np.ndarray,
    gains: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """N_FEATURES numbers for one region (its `pixels` in the frame) under the scene `light`
    (`_scene_light`)."""
    import cv2  # heavy; imported when first used

    x0, y0, x1, y1 = pixels
    body = _balanced(_shrunk(frame[y0:y1, x0:x1]), gains)
    scene_white, ground = float(light[0]), light[1:]
    body_light = cv2.cvtColor(body, cv2.COLOR_BGR2LAB)[..., 0].ravel() / 255
    return np.concatenate(
        [
            describe_region(body, scene_white),
            [inside],
            # Paint against the plate's ground: white paint is about as bright, silver darker.
            np.log(np.percentile(body_light, [10, 25, 50, 75, 90]) / ground[0] + 0.05),
            ground,
            [scene_white],
        ]
    )


def color_features(frame: np.ndarray, box: Box) -> np.ndarray | None:
    """The classifier's inputs for the vehicle whose plate is at `box` in `frame` (BGR): one row
    of N_FEATURES per region of REGIONS, NaN for a region too little in the frame to take part;
    None when too little of the body above the plate is in the frame."""
    if box.width < 1 or box.height < 1:
        return None
    bounds = [region_bounds(frame.shape, box, region) for region in REGIONS]
    if bounds[0] is None or bounds[0][1] < MIN_INSIDE:
        return None
    plate = _plate_patch(frame, box)
    gains = white_balance_gains(plate)
    light = _scene_light(frame, plate, gains)
    features = np.full((len(REGIONS), N_FEATURES), np.nan)
    for row, found in enumerate(bounds):
        if found is not None and (row == 0 or found[1] >= MIN_REGION_INSIDE):
            features[row] = _region_features(frame, found[0], found[1], light, gains)
    return features


@dataclass(frozen=True)
class ColorClassifier:
    """A multinomial logistic regression over one region's standardised `color_features` row
    (weights shared by all regions, a bias per region), and the REGION_WEIGHTS mixture of the
    regions' probabilities."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (N_FEATURES, len(names))
    bias: np.ndarray  # (len(REGIONS), len(names))

    def region_probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(name) per region, (..., len(REGIONS), len(names)), for `color_features` (one
        vehicle's or a stack of them); a region outside the frame gets the average's."""
        z = np.nan_to_num((features - self.mean) / self.scale)
        scores = z @ self.weights + self.bias
        scores = scores - scores.max(axis=-1, keepdims=True)
        odds = np.exp(scores)
        return odds / odds.sum(axis=-1, keepdims=True)

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """P(name) for `color_features` (one vehicle's, or a stack of them: rows)."""
        return (mixture_weights(features)[..., None] * self.region_probabilities(features)).sum(-2)

    def to_json(self) -> dict:
        return {
            "names": list(self.names),
            "features": N_FEATURES,
            "regions": [list(region) for region in REGIONS],
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "weights": [[round(float(v), 6) for v in row] for row in self.weights],
            "bias": [[round(float(v), 6) for v in row] for row in self.bias],
        }

    @classmethod
    def from_json(cls, data: dict) -> ColorClassifier:
        if (
            data["features"] != N_FEATURES
            or tuple(data["names"]) != COLOR_NAMES
            or [tuple(region) for region in data.get("regions", [])] != list(REGIONS)
        ):
            raise RuntimeError(
                "the colour classifier was trained on other features, names or regions"
            )
        return cls(
            names=tuple(data["names"]),
            mean=np.array(data["mean"]),
            scale=np.array(data["scale"]),
            weights=np.array(data["weights"]),
            bias=np.array(data["bias"]),
        )


def mixture_weights(features: np.ndarray) -> np.ndarray:
    """Each region's weight in the mixture, (..., len(REGIONS)), for `color_features`:
    REGION_WEIGHTS over the regions that take part."""
    weights = np.where(np.isnan(features[..., 0]), 0.0, np.array(REGION_WEIGHTS))
    return weights / weights.sum(axis=-1, keepdims=True)


@cache
def shipped_classifier() -> ColorClassifier:
    """The classifier shipped in `models/color_classifier.json`."""
    path = shipped_model_path(CLASSIFIER_MODEL)
    try:
        return ColorClassifier.from_json(json.loads(path.read_text()))
    except RuntimeError as error:
        raise RuntimeError(f"{path}: {error}; rerun scripts/recognition/train_color.py") from None


def vehicle_color(frame: np.ndarray, box: Box | None) -> VehicleColor | None:
    """The colour of the vehicle whose plate is at `box` in `frame` (BGR), or None when the
    image shows too little body above the plate (a close-up of the plate)."""
    if box is None:
        return None
    features = color_features(frame, box)
    if features is None:
        return None
    probabilities = shipped_classifier().probabilities(features)
    best = int(probabilities.argmax())
    return VehicleColor(name=COLOR_NAMES[best], confidence=round(float(probabilities[best]), 3))

"""Is this text line the registration? A learned plate/not-plate judge over a line's cues.

Photos hold much text besides the registration: the state name and slogan on the plate, dealer
frames, date stamps, signs, a truck's phone number. The engine reads every plausible line; the
judge turns what it knows of each line (how sure the readers are, the shape of the string, how
tall the line is against its neighbours, light or dark ink, whether it spells a state, a make
or a date, how English its letters look, whether the frame's edge cuts it) into P(registration),
by logistic regression.

The weights are learned, not hand-set: `scripts/recognition/train_judge.py` collects the lines
the engine finds on real US plate crops (the registration against the plate's own small print)
and on rendered scenes with distracting text (state names, slogans, dealer frames, dates, phone
numbers, words), and fits the weights; they ship as `models/plate_judge.json` (numbers only).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from platekeeper.recognition.english import english_likeness
from platekeeper.recognition.sessions import shipped_model_path

JUDGE_MODEL = "plate_judge.json"

#: Text printed on or around plates that is never the registration: state names and makes.
# fmt: off
KNOWN_WORDS = frozenset((
    "ALABAMA", "ALASKA", "ARIZONA", "ARKANSAS", "CALIFORNIA", "COLORADO", "CONNECTICUT",
    "DELAWARE", "FLORIDA", "GEORGIA", "HAWAII", "IDAHO", "ILLINOIS", "INDIANA", "IOWA",
    "KANSAS", "KENTUCKY", "LOUISIANA", "MAINE", "MARYLAND", "MASSACHUSETTS", "MICHIGAN",
    "MINNESOTA", "MISSISSIPPI", "MISSOURI", "MONTANA", "NEBRASKA", "NEVADA", "NEWHAMPSHIRE",
    "NEWJERSEY", "NEWMEXICO", "NEWYORK", "NORTHCAROLINA", "NORTHDAKOTA", "OHIO", "OKLAHOMA",
    "OREGON", "PENNSYLVANIA", "RHODEISLAND", "SOUTHCAROLINA", "SOUTHDAKOTA", "TENNESSEE",
    "TEXAS", "UTAH", "VERMONT", "VIRGINIA", "WASHINGTON", "WESTVIRGINIA", "WISCONSIN",
    "WYOMING", "AUDI", "BMW", "BUICK", "CADILLAC", "CHEVROLET", "CHEVY", "CHRYSLER", "DODGE",
    "FIAT", "FORD", "GMC", "HONDA", "HYUNDAI", "INFINITI", "JEEP", "KIA", "LEXUS", "LINCOLN",
    "MAZDA", "MERCEDES", "MINI", "MITSUBISHI", "NISSAN", "OPEL", "PEUGEOT", "PORSCHE",
    "RENAULT", "SKODA", "SUBARU", "SUZUKI", "TESLA", "TOYOTA", "VOLKSWAGEN", "VOLVO", "TAXI",
))
# fmt: on
_DATE = re.compile(r"^(19|20)\d\d(0[1-9]|1[0-2])([0-2]\d|3[01])$")


@dataclass(frozen=True)
class LineCues:
    """What the judge weighs of one candidate line (see `features` for how each enters)."""

    text: str
    per_char: float  # the best string's fused reader + prior score per character
    margin: float  # its lead over the second string, per character
    prior_per_char: float  # the jurisdiction's syntax prior per character
    taller_ratio: float  # height of the tallest overlapping line just above/below, over this one's
    smaller_neighbour: bool  # a smaller line stacked right above/below (a plate's own small print)
    light_text: bool  # light ink on a dark ground
    detector_score: float
    cut_by_frame: bool = False  # the line runs into the frame's edge: part of it is not seen


FEATURES = (
    "per_char",
    "margin",
    "prior_per_char",
    "mixed",
    "all_digits",
    "all_letters",
    "length",
    "log_taller_ratio",
    "smaller_neighbour",
    "light_text",
    "known_word",
    "date",
    "detector_score",
    "cut_by_frame",
    "english_like",
)


def spelled_as_word(text: str) -> bool:
    """True for a state name or make, whichever way its O/0 glyphs were spelled."""
    return text.replace("0", "O") in KNOWN_WORDS


def features(cues: LineCues) -> np.ndarray:
    """The judge's input vector, in the order of `FEATURES`."""
    text = cues.text
    # O and 0 are one glyph to the readers, spelled by the syntax prior (US reads always as 0):
    # it says nothing of whether a line mixes letters and digits (`METR0` does not).
    digits = sum(c.isdigit() and c != "0" for c in text)
    letters = sum(c.isalpha() and c != "O" for c in text)
    return np.array(
        [
            cues.per_char,
            min(cues.margin, 3.0),
            cues.prior_per_char,
            float(digits > 0 and letters > 0),
            float(letters == 0),
            float(digits == 0),
            (len(text) - 6) / 2,
            math.log(max(cues.taller_ratio, 1.0)),
            float(cues.smaller_neighbour),
            float(cues.light_text),
            float(spelled_as_word(text)),
            float(bool(_DATE.match(text))),
            cues.detector_score,
            float(cues.cut_by_frame),
            english_likeness(text),
        ],
        dtype=np.float64,
    )


@dataclass(frozen=True)
class PlateJudge:
    """Logistic regression over standardised `features`."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray

    def probability(self, cues: LineCues) -> float:
        """P(the line is a registration)."""
        return self.probability_of(features(cues))

    def probability_of(self, vector: np.ndarray) -> float:
        """P(registration) for a `features` vector."""
        z = float((vector - self.mean) / self.scale @ self.weights) + self.bias
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(self.bias, 6),
            "mean": [round(float(m), 6) for m in self.mean],
            "scale": [round(float(s), 6) for s in self.scale],
        }


@cache
def shipped_judge() -> PlateJudge:
    """The judge shipped in `models/plate_judge.json`."""
    path = shipped_model_path(JUDGE_MODEL)
    data = json.loads(path.read_text())
    if tuple(data["features"]) != FEATURES:
        raise RuntimeError(f"{path} was trained on other features; rerun train_judge.py")
    return PlateJudge(
        weights=np.array(data["weights"]),
        bias=float(data["bias"]),
        mean=np.array(data["mean"]),
        scale=np.array(data["scale"]),
    )

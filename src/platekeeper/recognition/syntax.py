"""Plate-syntax priors per jurisdiction: how plausible a string is as a plate, before looking.

A prior is a log probability over the letter/digit *shape* of a string (`7ABC123` -> `DLLLDDD`)
plus a log frequency for each character within its class (a US `O` is rare, a `0` common). The
engine adds a weighted prior to what the readers saw, which is what settles look-alikes such as
O/0, I/1, B/8, S/5 and Z/2 when the pixels leave them open. Shapes are smoothed towards "any
shape of this length", because new series appear every year and no list is complete.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

#: Pairs a reader confuses; `resolve_lookalikes` and the tests use them.
LOOKALIKES: dict[str, str] = {
    "O": "0", "0": "O", "I": "1", "1": "I", "B": "8", "8": "B",
    "S": "5", "5": "S", "Z": "2", "2": "Z", "G": "6", "6": "G", "Q": "0", "D": "0",
}  # fmt: skip

# Common national formats (letter/digit shapes, separators dropped), from public descriptions
# of EU registration schemes; weights are rough shares, not measured on any image set.
_EU_SHAPES: dict[str, float] = {
    "LLDDDLL": 12,  # FR, IT, HR (regional two letters, three digits, two letters)
    "LLDDLLL": 6,  # UK
    "DDDDLLL": 6,  # ES
    "LLLDDD": 5,  # many (PL, NL older, SE)
    "LLLDDDD": 5,  # DE, PL
    "LLDDDD": 5,
    "LLLLDDD": 4,
    "LLDDDDD": 4,  # PL, CZ-like
    "DLLDDDD": 4,  # CZ
    "DLDDDDD": 3,  # CZ older
    "LLLDDLL": 3,
    "LLLLDD": 3,
    "LLLLDDDD": 3,  # DE
    "LDLDDDD": 3,  # DE
    "LLDLDDDD": 3,  # DE
    "LLDLLDDD": 2,
    "LDDDLLL": 2,
    "DDLLLD": 2,  # NL sidecodes
    "LLDDDL": 2,
    "LDDLLL": 2,
    "DLLLDD": 2,
    "LLLDDL": 2,
    "LLLLLL": 1,
    "LLLLLLL": 1,
}


@dataclass(frozen=True)
class PlateSyntax:
    """A shape distribution and per-character frequencies for one jurisdiction."""

    name: str
    shapes: dict[str, float]
    characters: dict[str, float] = field(default_factory=dict)
    length_weights: dict[int, float] = field(default_factory=dict)
    #: Share of probability given to "any shape of this length" (smoothing towards unseen shapes).
    smoothing: float = 0.3
    #: Characters written as another in this jurisdiction's reads (US: the O/0 glyph is 0).
    folds: dict[str, str] = field(default_factory=dict)
    # Derived from the above once, in __post_init__.
    _shape_p: dict[str, float] = field(init=False, repr=False, compare=False)
    _length_p: dict[int, float] = field(init=False, repr=False, compare=False)
    _char_logp: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        total = sum(self.shapes.values())
        object.__setattr__(self, "_shape_p", {k: v / total for k, v in self.shapes.items()})
        lengths = self.length_weights or _length_weights(self.shapes)
        total_len = sum(lengths.values())
        object.__setattr__(self, "_length_p", {k: v / total_len for k, v in lengths.items()})
        object.__setattr__(self, "_char_logp", _class_log_frequencies(self.characters))

    def shape_log_prior(self, text: str) -> float:
        """Log probability of the shape of `text` (smoothed)."""
        shape = plate_shape(text)
        seen = self._shape_p.get(shape, 0.0)
        length_p = self._length_p.get(len(text), 1e-4)
        unseen = length_p / (2 ** len(text))
        return math.log((1 - self.smoothing) * seen + self.smoothing * unseen + 1e-12)

    def char_log_prior(self, text: str) -> float:
        """Sum over characters of log(frequency within its class x class size): 0 when uniform."""
        table = self._char_logp
        return sum(table.get(c, 0.0) for c in text)

    def fold(self, text: str) -> str:
        """Apply the jurisdiction's spelling conventions (`folds`) to a read."""
        if not self.folds:
            return text
        return "".join(self.folds.get(c, c) for c in text)

    def log_prior(self, text: str) -> float:
        """How plausible `text` is as a plate here (natural log, higher is likelier)."""
        if not text:
            return -50.0
        return self.shape_log_prior(text) + self.char_log_prior(text)


def plate_shape(text: str) -> str:
    """`7ABC123` -> `DLLLDDD`."""
    return "".join("D" if c.isdigit() else "L" for c in text)


def _length_weights(shapes: dict[str, float]) -> dict[int, float]:
    weights: dict[int, float] = {}
    for shape, count in shapes.items():
        weights[len(shape)] = weights.get(len(shape), 0.0) + count
    for length in range(2, 11):  # every length stays possible
        weights[length] = weights.get(length, 0.0) + 0.5
    return weights


def _class_log_frequencies(characters: dict[str, float]) -> dict[str, float]:
    """Log of (frequency within letters or digits) x (class size), Laplace-smoothed."""
    if not characters:
        return {}
    table: dict[str, float] = {}
    for alphabet in (LETTERS, DIGITS):
        counts = {c: characters.get(c, 0.0) + 2.0 for c in alphabet}
        total = sum(counts.values())
        for c in alphabet:
            table[c] = math.log(counts[c] / total * len(alphabet))
    return table


@cache
def syntax_for(country: str) -> PlateSyntax:
    """Return the syntax prior for `country` (`us` or `eu`)."""
    if country == "us":
        data = json.loads((Path(__file__).parent / "models" / "syntax_us.json").read_text())
        # Most US series never issue O, and where O exists it shares the 0 glyph; OpenALPR's
        # US ground truth writes 0 throughout, and so do we.
        return PlateSyntax(
            "us", shapes=data["shapes"], characters=data["characters"], folds={"O": "0"}
        )
    if country == "eu":
        # EU schemes avoid I, O and Q in many countries; the other letters are close to uniform.
        characters = dict.fromkeys(LETTERS + DIGITS, 10.0)
        characters.update({"I": 3.0, "O": 3.0, "Q": 1.0})
        return PlateSyntax("eu", shapes=_EU_SHAPES, characters=characters, smoothing=0.4)
    raise ValueError(f"unknown country {country!r}; expected 'us' or 'eu'")


def resolve_lookalikes(text: str, syntax: PlateSyntax) -> str:
    """Return the spelling of `text`, swapping look-alike characters, that `syntax` finds likeliest.

    A fallback for callers that only have a string (no reader probabilities): tries every single
    and double swap of look-alike characters and keeps the most plausible.
    """
    best, best_score = text, syntax.log_prior(text)
    positions = [i for i, c in enumerate(text) if c in LOOKALIKES]
    options = [text]
    for i in positions:
        for existing in list(options):
            options.append(existing[:i] + LOOKALIKES[text[i]] + existing[i + 1 :])
    for option in options:
        score = syntax.log_prior(option)
        if score > best_score + 1e-9:
            best, best_score = option, score
    return best

"""Realistic US plate texts by state and plate kind, and the OCR look-alikes a reader confuses."""

from __future__ import annotations

import dataclasses
import random
import re
from typing import Literal

PlateKind = Literal["passenger", "commercial", "motorcycle"]

# Most states leave I, O and Q out of sequential serials because they read as 1 and 0.
_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_DIGITS = "0123456789"
_ALNUM = _LETTERS + _DIGITS

#: Full names, printed across the top of a rendered plate.
STATE_NAMES: dict[str, str] = {
    "CA": "California",
    "NV": "Nevada",
    "OR": "Oregon",
    "AZ": "Arizona",
    "TX": "Texas",
    "WA": "Washington",
    "NY": "New York",
}


@dataclasses.dataclass(frozen=True)
class PlateFormat:
    """One standard-issue serial shape: each position draws from its own alphabet.

    A character repeated in an alphabet is drawn more often; that is how California's leading
    digit leans towards the 7, 8 and 9 series that most cars on the road carry today.
    """

    state: str
    kind: PlateKind
    example: str
    positions: tuple[str, ...]
    weight: float

    @property
    def pattern(self) -> re.Pattern[str]:
        """A regular expression that every serial of this shape matches."""
        classes = "".join(f"[{''.join(sorted(set(alphabet)))}]" for alphabet in self.positions)
        return re.compile(f"^{classes}$")

    def generate(self, rng: random.Random) -> str:
        """Draw one serial of this shape."""
        return "".join(rng.choice(alphabet) for alphabet in self.positions)


# Weights are shares of vehicles seen in Piedmont: overwhelmingly California passenger cars,
# with neighbouring and big states' visitors and California work vans and motorcycles.
FORMATS: tuple[PlateFormat, ...] = (
    PlateFormat(
        state="CA",
        kind="passenger",
        example="8ABC123",  # 1ABC234: digit, three letters, three digits
        positions=(
            "4556667777888888999999",
            _LETTERS,
            _LETTERS,
            _LETTERS,
            _DIGITS,
            _DIGITS,
            _DIGITS,
        ),
        weight=84.0,
    ),
    PlateFormat(
        state="CA",
        kind="commercial",
        example="8V12345",  # digit, letter, five digits
        positions=("56789", _LETTERS, _DIGITS, _DIGITS, _DIGITS, _DIGITS, _DIGITS),
        weight=5.0,
    ),
    PlateFormat(
        state="CA",
        kind="motorcycle",
        example="23K4567",  # two digits, letter, four digits
        positions=("12345", _DIGITS, _LETTERS, _DIGITS, _DIGITS, _DIGITS, _DIGITS),
        weight=1.5,
    ),
    PlateFormat(
        state="NV",
        kind="passenger",
        example="123ABC",
        positions=(_DIGITS, _DIGITS, _DIGITS, _LETTERS, _LETTERS, _LETTERS),
        weight=2.0,
    ),
    PlateFormat(
        state="OR",
        kind="passenger",
        example="ABC123",
        positions=(_LETTERS, _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS),
        weight=2.0,
    ),
    PlateFormat(
        state="AZ",
        kind="passenger",
        example="CR52H7",  # random-coded six characters, the fourth always a digit
        positions=(_ALNUM, _ALNUM, _ALNUM, _DIGITS, _ALNUM, _ALNUM),
        weight=1.5,
    ),
    PlateFormat(
        state="TX",
        kind="passenger",
        example="RGT4821",
        positions=(_LETTERS, _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS, _DIGITS),
        weight=1.5,
    ),
    PlateFormat(
        state="WA",
        kind="passenger",
        example="CDF2931",
        positions=("ABCDE", _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS, _DIGITS),
        weight=1.5,
    ),
    PlateFormat(
        state="NY",
        kind="passenger",
        example="KJP6120",
        positions=("HJKLM", _LETTERS, _LETTERS, _DIGITS, _DIGITS, _DIGITS, _DIGITS),
        weight=1.0,
    ),
)

_CUMULATIVE_WEIGHTS: tuple[float, ...] = tuple(
    sum(f.weight for f in FORMATS[: i + 1]) for i in range(len(FORMATS))
)


def choose_format(rng: random.Random, kind: PlateKind | None = None) -> PlateFormat:
    """Draw a format in proportion to how often it is seen; `kind` restricts the draw."""
    if kind is None:
        return rng.choices(FORMATS, cum_weights=_CUMULATIVE_WEIGHTS)[0]
    formats = [f for f in FORMATS if f.kind == kind]
    return rng.choices(formats, weights=[f.weight for f in formats])[0]


def matches_state_format(plate: str, state: str) -> bool:
    """True when `plate` has the shape of a standard-issue serial of `state` (any kind)."""
    return any(f.pattern.match(plate) for f in FORMATS if f.state == state)


#: Characters an OCR engine mistakes for one another on a plate, most likely first. Kept here
#: rather than in `platekeeper.plates` because it describes demo misreads, not matching rules.
LOOKALIKES: dict[str, str] = {
    "0": "ODQ",
    "O": "0DQ",
    "D": "0O",
    "Q": "0O",
    "1": "I7",
    "I": "1",
    "7": "1T",
    "T": "7",
    "2": "Z",
    "Z": "2",
    "5": "S",
    "S": "5",
    "6": "G",
    "G": "6C",
    "C": "G",
    "8": "B3",
    "B": "8",
    "3": "8",
    "4": "A",
    "A": "4",
    "U": "VJ",
    "V": "UY",
    "Y": "V",
    "M": "NH",
    "N": "M",
    "H": "M",
    "E": "F",
    "F": "E",
    "P": "R",
    "R": "P",
    "K": "X",
    "X": "K",
    "W": "V",
}


def lookalike_variants(plate: str) -> list[str]:
    """Every plate text one look-alike substitution away from `plate`, likeliest first."""
    variants: list[str] = []
    for rank in range(3):
        for index, character in enumerate(plate):
            alternatives = LOOKALIKES.get(character, "")
            if rank < len(alternatives):
                variants.append(plate[:index] + alternatives[rank] + plate[index + 1 :])
    return variants

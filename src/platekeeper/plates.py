"""Plate text rules shared by every part: normalising, validating. Standard library only."""

from __future__ import annotations

import re

#: The longest plate any US state or European country issues is 8 characters; 10 leaves room
#: for the odd special plate without letting a misread sign or a slogan through.
MAX_PLATE_LENGTH = 10

_SEPARATORS = re.compile(r"[\s\-\.·•_]+")
_PLATE_CHARACTERS = re.compile(r"^[A-Z0-9]+$")


class InvalidPlate(ValueError):
    """Raised when a plate text cannot be a real plate; the message says why."""


def normalize_plate(text: str) -> str:
    """Return the canonical form used for matching: upper case, separators removed.

    Plates are matched and searched on this form so that `7abc 123`, `7ABC-123` and `7ABC123`
    are one plate. Characters other than A-Z and 0-9 are refused rather than dropped, so a read
    of `7ABC#123` is not silently turned into a different plate.
    """
    normalized = _SEPARATORS.sub("", text.strip().upper())
    if not normalized:
        raise InvalidPlate("plate is empty")
    if len(normalized) > MAX_PLATE_LENGTH:
        raise InvalidPlate(f"plate is longer than {MAX_PLATE_LENGTH} characters")
    if not _PLATE_CHARACTERS.match(normalized):
        raise InvalidPlate("plate may hold only letters A-Z, digits, spaces and dashes")
    return normalized


#: Characters a camera confuses with each other. Each group reads as one character when
#: matching look-alike tolerant, so a hotlist entry `8OB123` also catches a read `BOB123`.
DEFAULT_LOOKALIKE_GROUPS: tuple[str, ...] = ("0ODQ", "1IL", "2Z", "5S", "8B", "6G")

#: Wildcards in partial plates: `?` is exactly one unknown character, `*` any run (even none).
WILDCARDS = frozenset("?*")
_PATTERN_CHARACTERS = re.compile(r"^[A-Z0-9?*]+$")


def lookalike_table(groups: tuple[str, ...] = DEFAULT_LOOKALIKE_GROUPS) -> dict[int, str]:
    """A str.translate table mapping each character of a group to the group's first one."""
    return {ord(character): group[0] for group in groups for character in group[1:]}


def normalize_pattern(text: str) -> str:
    """Normalise a plate that may hold wildcards (`7AB?12`, `*X9*`); refuse what cannot be one."""
    normalized = _SEPARATORS.sub("", text.strip().upper())
    if not normalized or not normalized.strip("*"):
        raise InvalidPlate("plate is empty")
    if len(normalized) > MAX_PLATE_LENGTH:
        raise InvalidPlate(f"plate is longer than {MAX_PLATE_LENGTH} characters")
    if not _PATTERN_CHARACTERS.match(normalized):
        raise InvalidPlate("plate may hold only letters A-Z, digits and the wildcards ? and *")
    return normalized


def is_pattern(normalized: str) -> bool:
    """True when a normalised plate holds a wildcard."""
    return not WILDCARDS.isdisjoint(normalized)


def similar_readings(a: str, b: str) -> bool:
    """Same plate read twice (e.g. in two frames of one pass): equal, or one edit apart when
    at least five characters long."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))

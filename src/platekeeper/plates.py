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

"""Plate normalising, which decides what counts as the same plate everywhere."""

import pytest

from platekeeper.plates import InvalidPlate, normalize_plate


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("7abc123", "7ABC123"),
        (" 7ABC-123 ", "7ABC123"),
        ("7 ABC 123", "7ABC123"),
        ("ab.12", "AB12"),
    ],
)
def test_separators_and_case_do_not_make_a_different_plate(text, normalized):
    assert normalize_plate(text) == normalized


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("  - ", "empty"), ("ABCDEFGHIJK", "longer"), ("7AB#123", "only letters")],
)
def test_implausible_plates_are_refused_with_a_reason(text, reason):
    with pytest.raises(InvalidPlate, match=reason):
        normalize_plate(text)

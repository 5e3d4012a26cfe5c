"""Plate serial shapes and the OCR look-alikes used for demo misreads."""

from __future__ import annotations

import collections
import random

from platekeeper.demo.plate_formats import (
    FORMATS,
    choose_format,
    lookalike_variants,
    matches_state_format,
)
from platekeeper.plates import normalize_plate


def test_examples_and_draws_match_their_format() -> None:
    rng = random.Random(1)
    for plate_format in FORMATS:
        assert plate_format.pattern.match(plate_format.example), plate_format
        for _ in range(200):
            plate = plate_format.generate(rng)
            assert plate_format.pattern.match(plate)
            assert matches_state_format(plate, plate_format.state)
            assert normalize_plate(plate) == plate


def test_california_passenger_plates_dominate() -> None:
    rng = random.Random(2)
    drawn = collections.Counter(
        (f.state, f.kind) for f in (choose_format(rng) for _ in range(5000))
    )

    assert drawn["CA", "passenger"] > 0.75 * 5000
    assert drawn["CA", "commercial"] > 0
    assert drawn["CA", "motorcycle"] > 0
    assert {state for state, _ in drawn} >= {"CA", "NV", "OR", "AZ", "TX", "WA", "NY"}


def test_california_passenger_shape() -> None:
    assert matches_state_format("7ABC234", "CA")
    assert not matches_state_format("ABC1234", "CA")
    assert matches_state_format("ABC1234", "TX")


def test_lookalike_variants_change_one_confusable_character() -> None:
    variants = lookalike_variants("8ABC120")

    assert "BABC120" in variants
    assert "8ABC12O" in variants
    for variant in variants:
        assert sum(a != b for a, b in zip(variant, "8ABC120", strict=True)) == 1

"""Plate-syntax priors: look-alike resolution and per-country shapes."""

from __future__ import annotations

import pytest

from platekeeper.recognition.syntax import plate_shape, resolve_lookalikes, syntax_for


def test_plate_shape():
    assert plate_shape("7ABC123") == "DLLLDDD"


@pytest.mark.parametrize(
    ("country", "read", "expected"),
    [
        ("us", "ABC1O3", "ABC103"),  # O among digits is a zero
        ("us", "7ABC12I", "7ABC121"),  # I among digits is a one
        ("us", "7ABC123", "7ABC123"),  # a common shape stays as it is
        ("eu", "RK7S5AJ", "RK755AJ"),  # regional letters, three digits, two letters
        ("eu", "AB123CD", "AB123CD"),
    ],
)
def test_resolve_lookalikes(country, read, expected):
    assert resolve_lookalikes(read, syntax_for(country)) == expected


def test_us_prior_prefers_common_shapes_but_allows_unseen_ones():
    us = syntax_for("us")
    assert us.log_prior("ABC123") > us.log_prior("A1B2C3")
    assert us.log_prior("A1B2C3D4") > -40  # smoothing keeps unseen shapes possible


def test_eu_prior_prefers_eu_shapes():
    eu = syntax_for("eu")
    assert eu.log_prior("AB123CD") > eu.log_prior("ABCD1")


def test_unknown_country_is_refused():
    with pytest.raises(ValueError, match="unknown country"):
        syntax_for("xx")

"""The `english_like` cue: words, whole or misread, look English; registrations do not."""

from __future__ import annotations

import pytest

from platekeeper.recognition.english import english_likeness


@pytest.mark.parametrize(
    "line", ["PRIVATE", "PR0PERTY", "PROPERT", "METR0", "WASHINGTON", "NORTHERN", "REFERRAL"]
)
def test_signs_slogans_and_lettering_look_english(line):
    assert english_likeness(line) > 0.5


@pytest.mark.parametrize("line", ["7ABC123", "6TIX874", "2DA044", "RK776AI", "GBXS12", "XKQJBWZ"])
def test_registrations_and_random_letters_do_not(line):
    """Three letters in a row say nothing; a longer run of random letters is less likely under
    English spelling than as random letters, and counts as not English at all."""
    assert english_likeness(line) == 0.0


def test_the_most_english_run_counts():
    assert english_likeness("XKQJ 2021 PARKING") == english_likeness("PARKING")

"""The plate/not-plate judge: what it weighs and that the shipped weights prefer registrations."""

from __future__ import annotations

from dataclasses import replace

from platekeeper.recognition.judge import (
    FEATURES,
    LineCues,
    features,
    shipped_judge,
    spelled_as_word,
)

REGISTRATION = LineCues(
    text="7ABC123",
    per_char=-0.3,
    margin=0.8,
    prior_per_char=-1.0,
    taller_ratio=1.0,
    smaller_neighbour=True,
    light_text=False,
    detector_score=0.8,
)


def test_state_names_and_makes_are_known_however_o_is_spelled():
    assert spelled_as_word("ARIZ0NA")
    assert spelled_as_word("FORD")
    assert not spelled_as_word("7ABC123")


def test_o_and_0_say_nothing_about_mixing_letters_and_digits():
    """The readers cannot tell O from 0 (US reads spell it 0): the van's lettering `METR0` is
    all letters, not a mix of letters and digits as registrations are."""

    def cue(text: str, name: str) -> float:
        return features(replace(REGISTRATION, text=text))[FEATURES.index(name)]

    assert cue("METR0", "mixed") == 0.0
    assert cue("METR0", "all_letters") == 1.0
    assert cue("2DA044", "mixed") == 1.0
    assert cue("1000", "all_digits") == 1.0


def test_one_feature_per_name():
    assert features(REGISTRATION).shape == (len(FEATURES),)


def test_the_shipped_judge_prefers_the_registration_to_what_surrounds_it():
    """GIVEN lines the readers read equally well WHEN judged THEN the registration beats a
    state name, a date stamp, the small print under a taller line and a line the frame cuts."""
    judge = shipped_judge()
    plate = judge.probability(REGISTRATION)
    state = replace(REGISTRATION, text="ARIZ0NA", smaller_neighbour=False, taller_ratio=1.3)
    date = replace(REGISTRATION, text="20140508", smaller_neighbour=False)
    small_print = replace(REGISTRATION, text="ABCDEF", taller_ratio=2.5, smaller_neighbour=False)
    cut = replace(REGISTRATION, cut_by_frame=True)
    for other in (state, date, small_print, cut):
        assert judge.probability(other) < plate, other


def test_the_shipped_judge_believes_random_letters_more_than_a_word():
    """GIVEN two all-letter lines read equally well WHEN judged THEN the sign's word `PRIVATE`
    is less likely the registration than seven random letters: only how English they look
    differs."""
    judge = shipped_judge()
    word = replace(REGISTRATION, text="PRIVATE")
    letters = replace(REGISTRATION, text="XKQJBWZ")
    assert judge.probability(word) < judge.probability(letters)

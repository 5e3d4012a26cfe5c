"""The hotlist matcher: what matches, how, and what must not."""

from __future__ import annotations

import pytest

from platekeeper.matching import Entry, Matcher, MatchKind


@pytest.fixture
def matcher() -> Matcher:
    return Matcher(
        [
            Entry(1, "7ABC123", "CA"),
            Entry(2, "8OB555"),  # O and 0, B and 8 are look-alikes
            Entry(3, "7AB?12"),  # partial: one unknown character
            Entry(4, "*X9*"),  # partial: X9 anywhere
            Entry(5, "4KLM777", fuzzy=True),
            Entry(6, "?A?"),  # a pattern with no long literal run
        ]
    )


def kinds(matches) -> dict[int, MatchKind]:
    return {m.entry_key: m.kind for m in matches}


def test_exact(matcher):
    assert kinds(matcher.match("7ABC123", "CA")) == {1: MatchKind.EXACT}


def test_a_different_state_does_not_match_but_an_unknown_one_does(matcher):
    assert matcher.match("7ABC123", "NV") == []
    assert kinds(matcher.match("7ABC123", "")) == {1: MatchKind.EXACT}


@pytest.mark.parametrize("read", ["B0B555", "80B555", "BOB5S5", "8D8555"])
def test_lookalike_characters_match_and_say_so(matcher, read):
    assert kinds(matcher.match(read)) == {2: MatchKind.LOOKALIKE}


def test_partial_patterns(matcher):
    assert kinds(matcher.match("7ABX12")) == {3: MatchKind.PARTIAL}
    assert kinds(matcher.match("1X9")) == {4: MatchKind.PARTIAL}
    assert kinds(matcher.match("ZAZ")) == {6: MatchKind.PARTIAL}


def test_one_edit_only_for_lists_marked_fuzzy(matcher):
    assert kinds(matcher.match("4KLM77")) == {5: MatchKind.FUZZY}
    assert kinds(matcher.match("4KLN777")) == {5: MatchKind.FUZZY}
    assert matcher.match("ABC123") == []  # one deletion, but list 1 is not fuzzy


@pytest.mark.parametrize("near_miss", ["7ABC124", "7ABC1234", "8OB556", "7AB12", "4KXY777"])
def test_near_misses_do_not_match(matcher, near_miss):
    assert matcher.match(near_miss) == []


def test_an_entry_matches_once_with_its_strongest_kind():
    matcher = Matcher([Entry(1, "7ABC123"), Entry(1, "7ABC12?")])

    assert kinds(matcher.match("7ABC123")) == {1: MatchKind.EXACT}

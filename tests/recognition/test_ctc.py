"""CTC decoding: beam search and exact string scoring agree with each other and with greedy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from platekeeper.recognition.ctc import (
    ALPHABET,
    beam_search,
    best_path,
    greedy_decode,
    sequence_log_prob,
    sequence_log_probs,
)


def _steps_for(text: str, *, confidence: float = 0.9, blanks: bool = True) -> np.ndarray:
    """Log probabilities that spell `text` with a blank between characters."""
    rows = []
    other = (1 - confidence) / len(ALPHABET)
    for char in text:
        row = np.full(1 + len(ALPHABET), other)
        row[1 + ALPHABET.index(char)] = confidence
        rows.append(row)
        if blanks:
            blank = np.full(1 + len(ALPHABET), other)
            blank[0] = confidence
            rows.append(blank)
    return np.log(np.array(rows))


def test_greedy_merges_repeats_and_drops_blanks():
    assert greedy_decode(_steps_for("AA11B")) == "AA11B"
    assert greedy_decode(_steps_for("AB", blanks=False)) == "AB"


def test_best_path_scores_a_sure_read_above_an_unsure_one_per_character():
    text, sure = best_path(_steps_for("7ABC123", confidence=0.9))
    assert text == "7ABC123"
    # 14 steps of 0.9 spell 7 characters: two steps' log probability per character.
    assert sure == pytest.approx(2 * math.log(0.9))
    assert best_path(_steps_for("7ABC123", confidence=0.5))[1] < sure


def test_beam_search_finds_the_spelled_text_first():
    results = beam_search(_steps_for("7ABC123"), beam_width=8)
    assert results[0][0] == "7ABC123"
    assert [p for _, p in results] == sorted((p for _, p in results), reverse=True)


def test_sequence_log_prob_matches_brute_force_on_a_tiny_problem():
    rng = np.random.default_rng(3)
    log_probs = np.log(rng.dirichlet(np.ones(1 + len(ALPHABET)), size=3))
    # Sum over all 37**3 paths that collapse to "A".
    total = -math.inf
    a = 1 + ALPHABET.index("A")
    for i in range(37):
        for j in range(37):
            for k in range(37):
                path = [i, j, k]
                collapsed = [
                    c for n, c in enumerate(path) if c != 0 and (n == 0 or path[n - 1] != c)
                ]
                if collapsed == [a]:
                    total = np.logaddexp(total, log_probs[0, i] + log_probs[1, j] + log_probs[2, k])
    assert sequence_log_prob(log_probs, "A") == pytest.approx(total, abs=1e-9)


def test_sequence_log_prob_prefers_the_spelled_text():
    steps = _steps_for("KL3B8K")
    assert sequence_log_prob(steps, "KL3B8K") > sequence_log_prob(steps, "KL38BK")
    assert sequence_log_prob(steps[:3], "KL3B8K") == -math.inf  # too few steps


def test_scoring_many_strings_at_once_gives_each_ones_score():
    """GIVEN strings of different lengths, repeats, the empty string and one too long for the
    steps WHEN scored in one batch THEN each gets exactly its score alone."""
    rng = np.random.default_rng(5)
    log_probs = np.log(rng.dirichlet(np.ones(1 + len(ALPHABET)) * 0.3, size=12))
    texts = ["7ABC123", "A", "", "AA", "ABBA", "0O0O", "Z" * 13, "KL3B8K"]
    batch = sequence_log_probs(log_probs, texts)
    assert list(batch) == [sequence_log_prob(log_probs, text) for text in texts]
    assert batch[texts.index("Z" * 13)] == -math.inf


def test_beam_search_gives_each_string_its_exact_probability_when_nothing_is_pruned():
    """GIVEN a beam wide enough to keep every prefix WHEN decoding THEN each string's probability
    is its CTC probability over all alignments, repeated characters included."""
    rng = np.random.default_rng(11)
    log_probs = np.log(rng.dirichlet(np.ones(1 + len(ALPHABET)) * 0.5, size=3))
    results = beam_search(log_probs, beam_width=60_000, prune=-math.inf)
    reachable = [(text, log_prob) for text, log_prob in results if log_prob > -math.inf]
    # Every string of 1-3 characters that 3 steps can spell (a doubled letter needs a blank).
    assert len(reachable) == 36 + 36**2 + 36 * 35 * 35
    for text, log_prob in reachable[:50] + reachable[-50:] + [r for r in reachable if r[0] == "AA"]:
        assert log_prob == pytest.approx(sequence_log_prob(log_probs, text), abs=1e-9)


def _plain_beam_search(
    log_probs: np.ndarray, *, beam_width: int, prune: float = -9.0, max_length: int = 10
) -> list[tuple[str, float]]:
    """The prefix beam search without its shortcuts: every extension made, every step ranked."""

    def add(a: float, b: float) -> float:
        if a == -math.inf:
            return b
        if b == -math.inf:
            return a
        return max(a, b) + math.log1p(math.exp(-abs(a - b)))

    beams: list[tuple[str, float, float]] = [("", 0.0, -math.inf)]
    for row in log_probs.tolist():
        next_beams: dict[str, list[float]] = {}
        for text, p_blank, p_char in beams:
            total = add(p_blank, p_char)
            entry = next_beams.setdefault(text, [-math.inf, -math.inf])
            entry[0] = add(entry[0], total + row[0])
            for k, char in enumerate(ALPHABET):
                p = row[k + 1]
                if p <= prune:
                    continue
                if text and char == text[-1]:
                    entry[1] = add(entry[1], p_char + p)
                    start = p_blank + p
                else:
                    start = total + p
                if len(text) >= max_length:
                    continue
                longer = next_beams.setdefault(text + char, [-math.inf, -math.inf])
                longer[1] = add(longer[1], start)
        ranked = sorted(next_beams.items(), key=lambda item: add(*item[1]), reverse=True)
        beams = [(text, pb, pc) for text, (pb, pc) in ranked[:beam_width]]
    results = [(text, add(pb, pc)) for text, pb, pc in beams if text]
    results.sort(key=lambda item: -item[1])
    return results


@pytest.mark.parametrize("beam_width", [1, 4, 12])
def test_beam_search_shortcuts_change_nothing(beam_width):
    """GIVEN peaked outputs (many steps where only the blank survives pruning, many where one
    or two characters compete) WHEN decoding THEN the beam search returns what the plain one
    does, strings, order and probabilities bit for bit."""
    rng = np.random.default_rng(beam_width)
    for _ in range(20):
        probs = rng.dirichlet(np.ones(1 + len(ALPHABET)) * 0.05, size=30)
        log_probs = np.log(np.clip(probs, 1e-9, None))
        log_probs[rng.random(30) < 0.4] = np.log(np.r_[1.0, np.full(len(ALPHABET), 1e-6)])
        expected = _plain_beam_search(log_probs, beam_width=beam_width, max_length=6)
        assert beam_search(log_probs, beam_width=beam_width, max_length=6) == expected

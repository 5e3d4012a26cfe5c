"""CTC decoding over the plate alphabet: prefix beam search and exact string scoring.

Both readers emit, per output step, log probabilities over `blank + ALPHABET`. Decoding them
here (instead of taking a reader's greedy string) yields several ranked candidates, and lets one
reader score the strings another proposed, which is how the default engine combines them.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLANK = 0
_NEG_INF = -math.inf


def _logsumexp(a: float, b: float) -> float:
    if a == _NEG_INF:
        return b
    if b == _NEG_INF:
        return a
    high = max(a, b)
    return high + math.log1p(math.exp(-abs(a - b)))


def greedy_decode(log_probs: np.ndarray) -> str:
    """Best path: the most likely class per step, repeats merged, blanks dropped."""
    best = log_probs.argmax(axis=1)
    out: list[str] = []
    previous = BLANK
    for k in best:
        if k != previous and k != BLANK:
            out.append(ALPHABET[k - 1])
        previous = int(k)
    return "".join(out)


def beam_search(
    log_probs: np.ndarray, *, beam_width: int = 16, prune: float = -9.0, max_length: int = 10
) -> list[tuple[str, float]]:
    """Return up to `beam_width` (text, log probability) pairs, most likely first.

    `log_probs` has shape (steps, 1 + len(ALPHABET)) with the CTC blank at index 0. Classes less
    likely than `prune` (natural log) at a step are not extended, which keeps this fast.
    """
    beams: dict[str, tuple[float, float]] = {"": (0.0, _NEG_INF)}  # text -> (ends blank, ends char)
    for step in log_probs:
        row = step.tolist()  # Python floats: indexing a list is much cheaper than an array
        blank = row[BLANK]
        extensions = [(ALPHABET[k - 1], row[k]) for k in np.nonzero(step > prune)[0] if k != BLANK]
        next_beams: dict[str, list[float]] = defaultdict(lambda: [_NEG_INF, _NEG_INF])
        for text, (p_blank, p_char) in beams.items():
            total = _logsumexp(p_blank, p_char)
            entry = next_beams[text]
            entry[0] = _logsumexp(entry[0], total + blank)
            last = text[-1] if text else None
            room = len(text) < max_length
            for char, p in extensions:
                if char == last:
                    # Repeating the same class continues the character; a new copy needs a blank.
                    entry[1] = _logsumexp(entry[1], p_char + p)
                    if room:
                        extended = next_beams[text + char]
                        extended[1] = _logsumexp(extended[1], p_blank + p)
                elif room:
                    extended = next_beams[text + char]
                    extended[1] = _logsumexp(extended[1], total + p)
        ranked = sorted(next_beams.items(), key=lambda item: -_logsumexp(item[1][0], item[1][1]))[
            :beam_width
        ]
        beams = {text: (pb, pc) for text, (pb, pc) in ranked}
    results = [(text, _logsumexp(pb, pc)) for text, (pb, pc) in beams.items() if text]
    results.sort(key=lambda item: -item[1])
    return results


def sequence_log_prob(log_probs: np.ndarray, text: str) -> float:
    """Return log P(text | log_probs) summed over all CTC alignments (forward algorithm)."""
    return float(sequence_log_probs(log_probs, [text])[0])


def sequence_log_probs(log_probs: np.ndarray, texts: list[str]) -> np.ndarray:
    """`sequence_log_prob` for every string of `texts` at once.

    The engine scores about a hundred strings per view; one forward pass over all of them
    (their label sequences padded to the longest) costs what a few single ones did.
    """
    steps = log_probs.shape[0]
    result = np.full(len(texts), -np.inf)
    rows = [i for i, text in enumerate(texts) if text and len(text) <= steps]
    for i, text in enumerate(texts):
        if not text:
            result[i] = float(log_probs[:, BLANK].sum())
    if not rows:
        return result
    n_states = 2 * max(len(texts[i]) for i in rows) + 1
    # Label sequences blank, c1, blank, c2, ..., blank; padding states are blanks that no
    # alignment of a shorter string reaches (they only ever follow its final states).
    labels = np.zeros((len(rows), n_states), dtype=np.int64)
    for row, i in enumerate(rows):
        labels[row, 1 : 2 * len(texts[i]) : 2] = [ALPHABET.index(c) + 1 for c in texts[i]]
    emit = log_probs[:, labels]  # (steps, strings, states)
    # A state may be skipped (from s-2) when it is a character different from the one at s-2.
    can_skip = np.zeros(labels.shape, dtype=bool)
    can_skip[:, 2:] = (labels[:, 2:] != BLANK) & (labels[:, 2:] != labels[:, :-2])
    alpha = np.full(labels.shape, -np.inf)
    alpha[:, :2] = emit[0, :, :2]
    blocked = np.full((len(rows), 2), -np.inf)
    for t in range(1, steps):
        shifted1 = np.concatenate((blocked[:, :1], alpha[:, :-1]), axis=1)
        shifted2 = np.concatenate((blocked, alpha[:, :-2]), axis=1)
        shifted2 = np.where(can_skip, shifted2, -np.inf)
        alpha = np.logaddexp(np.logaddexp(alpha, shifted1), shifted2) + emit[t]
    ends = np.array([2 * len(texts[i]) for i in rows])
    picked = np.arange(len(rows))
    result[rows] = np.logaddexp(alpha[picked, ends], alpha[picked, ends - 1])
    return result

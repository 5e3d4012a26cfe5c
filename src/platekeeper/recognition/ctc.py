"""CTC decoding over the plate alphabet: prefix beam search and exact string scoring.

Both readers emit, per output step, log probabilities over `blank + ALPHABET`. Decoding them
here (instead of taking a reader's greedy string) yields several ranked candidates, and lets one
reader score the strings another proposed, which is how the default engine combines them.
"""

from __future__ import annotations

import math
import operator

import numpy as np

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BLANK = 0
_NEG_INF = -math.inf


def greedy_decode(log_probs: np.ndarray) -> str:
    """Best path: the most likely class per step, repeats merged, blanks dropped."""
    return best_path(log_probs)[0]


def best_path(log_probs: np.ndarray) -> tuple[str, float]:
    """The best path's text (`greedy_decode`) and its log probability per character read: how
    surely a reader reads the line as characters at all, whatever they are."""
    best = log_probs.argmax(axis=1)
    path_log_prob = float(log_probs[np.arange(len(best)), best].sum())
    out: list[str] = []
    previous = BLANK
    for k in best:
        if k != previous and k != BLANK:
            out.append(ALPHABET[k - 1])
        previous = int(k)
    return "".join(out), path_log_prob / max(1, len(out))


def beam_search(
    log_probs: np.ndarray, *, beam_width: int = 16, prune: float = -9.0, max_length: int = 10
) -> list[tuple[str, float]]:
    """Return up to `beam_width` (text, log probability) pairs, most likely first.

    `log_probs` has shape (steps, 1 + len(ALPHABET)) with the CTC blank at index 0. Classes less
    likely than `prune` (natural log) at a step are not extended, which keeps this fast. The
    loop runs on Python floats with the log-sum-exp inlined: the engine calls it four times per
    line, and numpy's per-call overhead on single numbers would dominate.
    """
    log1p, exp = math.log1p, math.exp

    def add(a: float, b: float) -> float:  # log-sum-exp of two, bound locally (the hot path)
        if a == _NEG_INF:
            return b
        if b == _NEG_INF:
            return a
        return (a if a > b else b) + log1p(exp(-abs(a - b)))

    rows = log_probs.tolist()  # Python floats: indexing a list is much cheaper than an array
    kept = [np.nonzero(row)[0].tolist() for row in log_probs[:, 1:] > prune]
    by_total = operator.itemgetter(0)
    beams: list[tuple[str, float, float]] = [("", 0.0, _NEG_INF)]  # text, ends blank, ends char
    for row, classes in zip(rows, kept, strict=True):
        blank = row[BLANK]
        if not classes:
            # Only the blank survives pruning: every beam stays as it is, its total shifted by the
            # same amount, so the ranking (ties included) is the one it already has.
            beams = [(text, add(pb, pc) + blank, _NEG_INF) for text, pb, pc in beams]
            continue
        extensions = [(ALPHABET[k], row[k + 1]) for k in classes]
        # Each beam's final total is at least its total ending in this step's blank, so a new
        # string less likely than `beam_width` of those cannot be kept: it is not made (a
        # string that is already a beam is, as it adds to that beam's probability).
        totals = [add(pb, pc) for _, pb, pc in beams]
        stays = [total + blank for total in totals]
        floor = sorted(stays)[-beam_width] if len(stays) >= beam_width else _NEG_INF
        children: dict[str, set[str]] = {}
        for text, _, _ in beams:
            if text:
                children.setdefault(text[:-1], set()).add(text[-1])
        next_beams: dict[str, list[float]] = {}
        get = next_beams.get
        for (text, p_blank, p_char), total, stay in zip(beams, totals, stays, strict=True):
            entry = get(text)
            if entry is None:
                entry = next_beams[text] = [stay, _NEG_INF]
            else:
                entry[0] = add(entry[0], stay)
            last = text[-1] if text else None
            room = len(text) < max_length
            beam_children = children.get(text, ())
            for char, p in extensions:
                if char == last:
                    # Repeating the same class continues the character; a new copy needs a blank.
                    entry[1] = add(entry[1], p_char + p)
                    if not room:
                        continue
                    start = p_blank + p
                elif room:
                    start = total + p
                else:
                    continue
                if start < floor and char not in beam_children:
                    continue
                longer = text + char
                extended = get(longer)
                if extended is None:
                    next_beams[longer] = [_NEG_INF, start]
                else:
                    extended[1] = add(extended[1], start)
        ranked = [(add(pb, pc), text, pb, pc) for text, (pb, pc) in next_beams.items()]
        # The best `beam_width`, ties in insertion order (a stable sort keeps them so).
        ranked.sort(key=by_total, reverse=True)
        beams = [(text, pb, pc) for _, text, pb, pc in ranked[:beam_width]]
    results = [(text, add(pb, pc)) for text, pb, pc in beams if text]
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

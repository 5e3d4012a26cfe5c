"""How English a line's letters look: signs, slogans and lettering are words, registrations not.

The lines that beat the registration on real photos are mostly words: a state name or slogan, a
dealer's name, a van's lettering (`METRO`), a sign (`PRIVATE PROPERTY`). A word list would only
know the words on it and none misread by a character; letter trigrams know how English spells
(`PROPERT` is as English as `PROPERTY`, `ZQJX` is not), so the plate judge gets one number for
any line: how much likelier its longest run of letters is under English trigrams than as
random letters. Registrations have runs of at most three letters in most series, or random
ones; vanity plates that are words are rare, and the judge weighs the cue against the others.

The trigram counts come from an English word list (`scripts/recognition/build_english.py`).
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np

from platekeeper.recognition.sessions import shipped_model_path

ENGLISH_MODEL = "english_trigrams.json"
#: Runs shorter than this say too little: many series have three random letters in a row.
MIN_RUN = 4
_RUN = re.compile(f"[A-Z]{{{MIN_RUN},}}")


@cache
def _log_probs() -> np.ndarray:
    """log P(c | a, b) for letters a, b, c (26x26x26): the trigram estimate interpolated with
    the bigram and single-letter ones, so an unseen pair of letters is still unlikely, not
    uniform."""
    counts = np.array(
        json.loads(shipped_model_path(ENGLISH_MODEL).read_text())["counts"], dtype=np.float64
    ).reshape(26, 26, 26)
    pairs = counts.sum(axis=0)  # (b, c): b followed by c
    singles = pairs.sum(axis=0)  # c
    p1 = (singles + 1) / (singles.sum() + 26)
    p2 = (pairs + 1) / (pairs.sum(axis=1, keepdims=True) + 26)
    contexts = counts.sum(axis=2, keepdims=True)
    p3 = np.where(contexts > 0, counts / np.maximum(contexts, 1), p2[None, :, :])
    return np.log(0.7 * p3 + 0.2 * p2[None, :, :] + 0.1 * p1[None, None, :])


def english_likeness(text: str) -> float:
    """Nats per letter by which the likeliest run of four or more letters in `text` is more
    likely under English letter trigrams than as random letters; 0 when there is no such run
    or none looks more English than random."""
    table = _log_probs()
    best = 0.0
    for run in _RUN.findall(text.upper()):
        index = [ord(letter) - ord("A") for letter in run]
        steps = [table[a, b, c] for a, b, c in zip(index, index[1:], index[2:], strict=False)]
        best = max(best, sum(steps) / len(steps) + math.log(26))
    return best

"""Build `recognition/models/english_trigrams.json`: how often each three-letter sequence
occurs in English words.

Counts the letter trigrams of every word of three or more letters (A-Z only, case folded, each
word once) in an English word list: by default Debian's `wamerican` package
(`/usr/share/dict/american-english`, from SCOWL, Copyright 2000-2011 Kevin Atkinson, free to
use, copy and distribute with its notice). Only the 17,576 counts are shipped; the plate judge's
`english_like` cue (`recognition/english.py`) turns them into probabilities.

    apt-get install wamerican
    .venv/bin/python scripts/recognition/build_english.py [--words FILE]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DEFAULT_WORDS = Path("/usr/share/dict/american-english")
OUT = (
    Path(__file__).resolve().parents[2] / "src/platekeeper/recognition/models/english_trigrams.json"
)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=Path, default=DEFAULT_WORDS)
    args = parser.parse_args()
    lines = args.words.read_text(encoding="utf-8", errors="ignore").split()
    words = sorted({w.upper() for w in lines if re.fullmatch(r"[A-Za-z]{3,}", w)})
    counts = [0] * 26**3
    for word in words:
        for i in range(len(word) - 2):
            a, b, c = (LETTERS.index(letter) for letter in word[i : i + 3])
            counts[(a * 26 + b) * 26 + c] += 1
    data = {
        "source": f"{args.words.name}: SCOWL, Copyright 2000-2011 Kevin Atkinson; trigram counts",
        "words": len(words),
        "counts": counts,
    }
    OUT.write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(f"wrote {OUT}: trigrams of {len(words)} words")


if __name__ == "__main__":
    main()

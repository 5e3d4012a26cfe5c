"""Reads matched per second on one core against hotlists of 10k, 100k and 1M entries.

Each list also holds 1,000 partial patterns (`7AB?12`, `*X9*`...). The baseline is a plain
dict lookup of the normalised plate against the same exact entries, measured in the same run.
Usage: python benchmarks/matching.py [max entries]
"""

from __future__ import annotations

import random
import sys
import time

import _harness
from platekeeper.matching import Entry, Matcher

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
READS = 200_000


def plate(rng: random.Random) -> str:
    return f"{rng.randint(1, 9)}{''.join(rng.choices(LETTERS, k=3))}{rng.randint(0, 999):03d}"


def pattern(rng: random.Random) -> str:
    text = list(plate(rng))
    if rng.random() < 0.5:
        for index in rng.sample(range(len(text)), 2):
            text[index] = "?"
        return "".join(text)
    start = rng.randint(0, 4)
    return "*" + "".join(text[start : start + 3]) + "*"


def measure(size: int, rng: random.Random) -> list[object]:
    exact = [Entry(i, plate(rng), rng.choice(["CA", "", "NV"])) for i in range(size)]
    patterns = [Entry(size + i, pattern(rng)) for i in range(1000)]
    started = time.perf_counter()
    matcher = Matcher([*exact, *patterns])
    build = time.perf_counter() - started
    reads = [plate(rng) for _ in range(READS)]
    # Sprinkle real hits so the hit path is measured too.
    for i in range(0, READS, 100):
        reads[i] = exact[i % size].plate

    started = time.perf_counter()
    hits = sum(1 for read in reads if matcher.match(read, "CA"))
    matched = READS / (time.perf_counter() - started)

    lookup = {entry.plate: entry for entry in exact}
    started = time.perf_counter()
    baseline_hits = sum(1 for read in reads if read in lookup)
    baseline = READS / (time.perf_counter() - started)
    return [f"{size:,}", 1000, f"{build:.1f}", matched, baseline, hits, baseline_hits]


def main() -> None:
    largest = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = random.Random(438)
    rows = [measure(size, rng) for size in (10_000, 100_000, 1_000_000) if size <= largest]
    _harness.print_table(
        "Hotlist matching on one core (exact + look-alike + partial patterns; state compared)",
        ["entries", "patterns", "build s", "reads/s matched", "dict lookup/s", "hits", "dict hits"],
        rows,
    )


if __name__ == "__main__":
    sys.exit(main())

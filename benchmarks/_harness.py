"""What every benchmark shares: finding the repo, the databases to measure, printing tables."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

POSTGRES_URL = os.environ.get("PLATEKEEPER_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/")


def databases() -> Iterator[tuple[str, str | None]]:
    """Yield (label, DATABASE_URL or None for SQLite) for each database reachable here."""
    from tests.support.postgres import postgres_unavailable_reason

    yield "SQLite", None
    reason = postgres_unavailable_reason(POSTGRES_URL + "postgres")
    if reason is None:
        yield "PostgreSQL", POSTGRES_URL + "platekeeper_bench"
    else:
        print(f"(PostgreSQL skipped: {reason})")


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print an aligned plain-text table."""
    cells = [[str(h) for h in headers], *[[_fmt(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(value.rjust(width) for value, width in zip(row, widths, strict=True)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)

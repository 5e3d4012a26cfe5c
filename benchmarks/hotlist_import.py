"""Seconds to import a 1,000,000-row hotlist CSV with `platekeeper hotlist import`, on SQLite.

The baseline parses the same file with the csv module and inserts the rows with one sqlite3
executemany into the same table, measured in the same run. Usage: [rows]
"""

from __future__ import annotations

import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import _harness
from tests.support.live import isolated_environment, run_cli

LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(438)
    seen: set[str] = set()
    with path.open("w") as handle:
        handle.write("plate,state,reason\n")
        while len(seen) < rows:
            plate = (
                f"{rng.randint(1, 9)}{''.join(rng.choices(LETTERS, k=3))}{rng.randint(0, 999):03d}"
            )
            if plate not in seen:
                seen.add(plate)
                handle.write(f"{plate},CA,Stolen vehicle\n")


def raw_insert(database: Path, path: Path) -> float:
    started = time.perf_counter()
    connection = sqlite3.connect(database)
    hotlist = connection.execute("SELECT max(id) FROM hotlists_hotlist").fetchone()[0]
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [
            (hotlist, p, p, s, "", "", "", r, "", "raw", "2026-11-28 00:00:00", None)
            for p, s, r in reader
        ]
    connection.executemany(
        "INSERT INTO hotlists_hotlistentry (hotlist_id, plate, plate_normalized, state, plate_type,"
        " vehicle_description, ncic_number, reason, case_number, entered_by, entered_at,"
        " expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING",
        rows,
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp, isolated_environment(Path(tmp), "") as env:
        path = Path(tmp) / "hotlist.csv"
        write_file(path, rows)
        run_cli(env, "hotlist", "create", "Bench", "--source", "state")
        started = time.perf_counter()
        result = run_cli(env, "hotlist", "import", str(path), "--list", "Bench")
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(result.stderr)
        run_cli(env, "hotlist", "create", "Raw", "--source", "state")
        baseline = raw_insert(Path(tmp) / "platekeeper.sqlite3", path)
    _harness.print_table(
        "Hotlist import (SQLite): the CLI end to end vs csv + raw executemany of the same rows",
        ["rows", "platekeeper import s", "raw insert s", "rows/s (import)"],
        [[f"{rows:,}", seconds, baseline, rows / seconds]],
    )


if __name__ == "__main__":
    main()

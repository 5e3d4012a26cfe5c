"""Build `recognition/models/syntax_us.json`: US plate shapes and character frequencies.

Counts the letter/digit shape (`ABC123` -> `LLLDDD`) and the characters of every plate label in
`openalpr-plate-crops-us/groundtruth.csv` (AGPL-3.0 data; only these counts are shipped). The
engine smooths them heavily (see `syntax.py`), because one state's new series can be a shape no
list has seen.

    .venv/bin/python scripts/recognition/build_syntax.py [--crops DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter
from pathlib import Path

DEFAULT_CROPS = Path("/work/shared/datasets/openalpr-plate-crops-us")
OUT = Path(__file__).resolve().parents[2] / "src/platekeeper/recognition/models/syntax_us.json"


def shape(plate: str) -> str:
    return "".join("D" if c.isdigit() else "L" for c in plate)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crops", type=Path, default=DEFAULT_CROPS)
    args = parser.parse_args()
    shapes: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    with (args.crops / "groundtruth.csv").open() as handle:
        for row in csv.DictReader(handle):
            plate = row["plate"].strip().upper()
            if not 4 <= len(plate) <= 8 or not plate.isalnum():
                continue
            shapes[shape(plate)] += 1
            chars.update(plate)
    data = {
        "source": "openalpr-plate-crops-us groundtruth.csv (AGPL-3.0), counts only",
        "shapes": dict(shapes.most_common()),
        "characters": dict(sorted(chars.items())),
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT}: {len(shapes)} shapes from {sum(shapes.values())} plates")


if __name__ == "__main__":
    main()

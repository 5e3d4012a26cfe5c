"""A floor on the development set, when it is present (full figures: benchmarks/recognition.py).

Every 4th photo (28 US, 27 EU) is read; the floor is what the engine reached on that sample
when last measured, less one photo, so that a drop of a few points fails here rather than in
a department. The settings were chosen on this set: these figures are optimistic for photos the
engine has never seen.
"""

from __future__ import annotations

import pytest

from platekeeper.recognition import get_engine

from .conftest import dev_dataset_root

ROOT = dev_dataset_root()
pytestmark = pytest.mark.skipif(
    not (ROOT / "us").is_dir(),
    reason=f"development set not found at {ROOT} (set PLATEKEEPER_DEV_DATASET to its folder)",
)
STEP = 4
#: Right top-1 reads on the sample when last measured (docs/recognition.md has the whole set).
MEASURED = {"us": 26, "eu": 26}


def _sample(country: str) -> list[tuple[str, str]]:
    items = []
    for text_file in sorted((ROOT / country).glob("*.txt"))[::STEP]:
        fields = text_file.read_text().strip().split("\t")
        items.append((str(text_file.with_suffix(".jpg")), fields[5]))
    return items


@pytest.mark.parametrize("country", ["us", "eu"])
def test_reads_the_sample_as_well_as_last_measured(country):
    engine = get_engine("default", country=country)
    misses = []
    for path, truth in _sample(country):
        reads = engine.read_image(path)
        if not reads or reads[0].text != truth:
            misses.append((path.rsplit("/", 1)[-1], truth, reads[0].text if reads else ""))
    correct = len(_sample(country)) - len(misses)
    assert correct >= MEASURED[country] - 1, misses

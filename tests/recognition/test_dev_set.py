"""A quick look at the development set, when it is present (full figures: benchmarks/)."""

from __future__ import annotations

import pytest

from platekeeper.recognition import get_engine

from .conftest import dev_dataset_root

ROOT = dev_dataset_root()
pytestmark = pytest.mark.skipif(
    not (ROOT / "us").is_dir(),
    reason=f"development set not found at {ROOT} (set PLATEKEEPER_DEV_DATASET to its folder)",
)


def _sample(country: str, count: int) -> list[tuple[str, str]]:
    items = []
    for text_file in sorted((ROOT / country).glob("*.txt"))[::7][:count]:
        fields = text_file.read_text().strip().split("\t")
        items.append((str(text_file.with_suffix(".jpg")), fields[5]))
    return items


@pytest.mark.parametrize(("country", "minimum"), [("us", 0.6), ("eu", 0.6)])
def test_reads_most_of_a_sample(country, minimum):
    """A coarse floor on every 7th development photo; the benchmark measures the whole set."""
    engine = get_engine("default", country=country)
    sample = _sample(country, 10)
    correct = 0
    for path, truth in sample:
        reads = engine.read_image(path)
        correct += bool(reads) and reads[0].text == truth
    assert correct / len(sample) >= minimum

"""Fixtures for recognition tests: plates rendered with Pillow onto synthetic scenes."""

from __future__ import annotations

import os
from pathlib import Path

from platekeeper.recognition.synthetic import render_plate, render_scene

__all__ = ["dev_dataset_root", "render_plate", "render_scene"]


def dev_dataset_root() -> Path:
    """The development set, from PLATEKEEPER_DEV_DATASET or the shared folder."""
    return Path(
        os.environ.get("PLATEKEEPER_DEV_DATASET", "/work/shared/datasets/openalpr-bench-dev")
    )

"""Fixtures for recognition tests: plates rendered with Pillow onto synthetic scenes."""

from __future__ import annotations

import os
from pathlib import Path

from platekeeper.recognition.synthetic import render_plate, render_scene

__all__ = ["dev_dataset_root", "render_plate", "render_scene", "small_plate_scene"]


def dev_dataset_root() -> Path:
    """The development set, from PLATEKEEPER_DEV_DATASET or the shared folder."""
    return Path(
        os.environ.get("PLATEKEEPER_DEV_DATASET", "/work/shared/datasets/openalpr-bench-dev")
    )


def small_plate_scene():
    """A 1920x1080 frame with a 70 px `7ABC123` plate: at 800 px its characters are 6 px high,
    too small for the first look; and the plate's box."""
    return render_scene("7ABC123", size=(1920, 1080), plate_width=70, position=(900, 700), seed=3)


def write_video(path, text: str, frames: int = 12, fps: float = 10.0) -> None:
    """An mp4 of one plate moving across the picture."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 480))
    assert writer.isOpened(), "OpenCV cannot write mp4v here"
    for i in range(frames):
        frame, _ = render_scene(
            text, size=(640, 480), plate_width=180, position=(120 + 12 * i, 260)
        )
        writer.write(frame)
    writer.release()

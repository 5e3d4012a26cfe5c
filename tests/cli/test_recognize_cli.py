"""`platekeeper recognize FILE` as a person at a terminal uses it: a real process, a real image."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.recognition.conftest import render_scene


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "platekeeper", "recognize", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_photo_prints_one_json_line_per_plate(tmp_path):
    import cv2

    frame, _ = render_scene("7ABC123")
    photo = tmp_path / "car.jpg"
    cv2.imwrite(str(photo), frame)

    result = run(str(photo))

    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout.splitlines()[0])
    assert first["plate"] == "7ABC123"


def test_a_missing_file_is_one_line_and_a_failure(tmp_path):
    result = run(str(tmp_path / "nope.jpg"))

    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr

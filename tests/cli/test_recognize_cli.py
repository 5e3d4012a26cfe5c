"""`platekeeper recognize`, `read` and `watch` as a person at a terminal uses them: a real
process, a real image."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.recognition.conftest import render_scene, write_video


def run(*args: str, command: str = "recognize") -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "platekeeper", command, *args],
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


def test_read_json_reports_each_image_in_order_and_names_the_bad_one(tmp_path):
    import cv2

    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    cv2.imwrite(str(first), render_scene("7ABC123")[0])
    cv2.imwrite(str(second), render_scene("4XYZ987")[0])
    result = run(
        str(first), str(tmp_path / "gone.jpg"), str(second), "--json", "--top", "3", command="read"
    )

    assert result.returncode == 1
    assert "gone.jpg" in result.stderr
    reports = json.loads(result.stdout)
    assert [r["image"] for r in reports] == [str(first), str(second)]
    assert reports[0]["results"][0]["plate"] == "7ABC123"
    assert {"processing_time_ms", "img_width", "img_height"} <= set(reports[0])
    assert len(reports[0]["results"][0]["candidates"]) <= 3


def test_read_names_an_empty_file_in_one_line(tmp_path):
    """A zero-byte photo (an interrupted copy) is named as unreadable, not an internal error."""
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")

    result = run(str(empty), command="read")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: not a readable image: {empty}"]


def test_watch_prints_one_pass_per_vehicle_of_a_video(tmp_path):
    video = tmp_path / "pass.mp4"
    write_video(video, "7ABC123", frames=12)
    result = run(str(video), "--every", "4", command="watch")

    assert result.returncode == 0, result.stderr
    passes = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["plate"] for p in passes] == ["7ABC123"]
    assert passes[0]["frames"] >= 2
    assert passes[0]["first_seen"] < passes[0]["last_seen"]


def test_watch_refuses_a_file_that_is_no_video(tmp_path):
    broken = tmp_path / "clip.mp4"
    broken.write_bytes(b"")

    result = run(str(broken), command="watch")

    assert result.returncode == 2
    assert "is no video this machine can decode" in result.stderr
    assert "Traceback" not in result.stderr

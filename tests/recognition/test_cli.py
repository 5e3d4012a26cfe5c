"""The CLI command bodies: JSON lines per plate, OpenALPR-style image reports, clear errors."""

from __future__ import annotations

import io
import json

import pytest

from platekeeper.recognition.cli import image_report, recognize_command

from .conftest import render_scene


@pytest.fixture
def scene_path(tmp_path):
    import cv2

    frame, _ = render_scene("7ABC123")
    path = tmp_path / "scene.jpg"
    cv2.imwrite(str(path), frame)
    return path


def test_recognize_command_prints_json_lines(scene_path):
    out, err = io.StringIO(), io.StringIO()
    assert recognize_command(scene_path, out=out, err=err) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["plate"] == "7ABC123"
    assert lines[0]["file"] == str(scene_path)
    assert len(lines[0]["coordinates"]) == 4
    assert lines[0]["candidates"][0] == {"plate": "7ABC123", "confidence": lines[0]["confidence"]}


def test_recognize_command_reports_missing_files(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert recognize_command(tmp_path / "nope.jpg", out=out, err=err) == 1
    assert "no such image" in err.getvalue()
    assert out.getvalue() == ""


def test_image_report_has_openalpr_fields(scene_path):
    report = image_report(scene_path, top_n=3)
    assert set(report) == {"image", "processing_time_ms", "img_width", "img_height", "results"}
    assert (report["img_width"], report["img_height"]) == (960, 640)
    result = report["results"][0]
    assert result["plate"] == "7ABC123"
    assert len(result["candidates"]) <= 3
    assert result["vehicle"]["color"]["name"] == "red"  # the rendered car's body
    assert 0 < result["vehicle"]["color"]["confidence"] <= 100

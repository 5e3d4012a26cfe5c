"""The recognition package is Django-free and imports its heavy libraries lazily."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_recognition_imports_without_django_and_without_heavy_libraries():
    """GIVEN Django made unimportable WHEN importing every recognition module THEN it works and
    neither onnxruntime nor cv2 is imported until a model is used."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["django"] = None  # any `import django` now raises ImportError
        import platekeeper.recognition as recognition
        from platekeeper.recognition import cli, ctc, detection, geometry, readers, syntax, video
        from platekeeper.recognition.engines import default, fake, naive
        assert sorted(recognition.available_engines()) == ["default", "fake", "naive"], (
            recognition.available_engines()
        )
        heavy = sorted(m for m in ("onnxruntime", "cv2") if m in sys.modules)
        assert not heavy, f"imported at import time: {heavy}"
        recognition.get_engine("default")  # constructing loads no model either
        heavy = sorted(m for m in ("onnxruntime", "cv2") if m in sys.modules)
        assert not heavy, f"imported by the constructor: {heavy}"
        print("ok")
        """
    )
    result = subprocess.run(  # noqa: S603 - runs this interpreter on a constant snippet
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

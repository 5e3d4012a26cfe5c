"""A command whose optional part is not installed names the extra to install, in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from platekeeper.extras import missing_extra

# Runs the CLI with the named top-level modules made unimportable, as in an install without
# the extra that provides them.
_WITHOUT = """
import importlib.abc, sys
blocked = set(sys.argv[1].split(","))
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Block())
from platekeeper.cli.main import cli
cli(sys.argv[2:], prog_name="platekeeper")
"""


def run_without(modules: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-c", _WITHOUT, modules, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("module", ["numpy", "cv2", "onnxruntime", "rapidocr_onnxruntime"])
def test_read_without_the_recognition_extra_names_it(tmp_path: Path, module: str) -> None:
    photo = tmp_path / "car.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xd9")

    done = run_without(module, "read", str(photo))

    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "pip install 'platekeeper[recognition]'" in done.stderr


@pytest.mark.parametrize("module", ["httpx", "numpy"])
def test_agent_without_the_agent_extra_names_it(tmp_path: Path, module: str) -> None:
    config = tmp_path / "agent.toml"
    config.write_text('[server]\nurl = "http://127.0.0.1:9"\ntoken = "t"\n')

    done = run_without(module, "agent", "--config", str(config), "--check")

    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "pip install 'platekeeper[agent]'" in done.stderr


def test_a_module_no_extra_provides_is_not_blamed_on_an_extra() -> None:
    assert missing_extra(ModuleNotFoundError("No module named 'django'", name="django")) is None


def test_an_error_raised_while_importing_an_extras_module_names_the_extra() -> None:
    try:
        try:
            raise ModuleNotFoundError("No module named 'onnxruntime'", name="onnxruntime")
        except ModuleNotFoundError as missing:
            raise RuntimeError("onnxruntime is not installed") from missing
    except RuntimeError as error:
        message = missing_extra(error, "read")

    assert message is not None
    assert "platekeeper[recognition]" in message

"""The Django-free parts of platekeeper must import and work with Django unimportable."""

from __future__ import annotations

import subprocess
import sys

import pytest

DJANGO_FREE_MODULES = [
    "platekeeper.plates",
    "platekeeper.geo",
    "platekeeper.wire",
    "platekeeper.vendors",
    "platekeeper.bridges.frigate",
    "platekeeper.cli.bridge",
    "platekeeper.demo",
    "platekeeper.cli.main",
    "platekeeper.agent.config",
    "platekeeper.agent.sources",
    "platekeeper.agent.grouping",
    "platekeeper.agent.location",
    "platekeeper.agent.outbox",
    "platekeeper.agent.uploader",
    "platekeeper.agent.hotlist_cache",
    "platekeeper.agent.heartbeat",
    "platekeeper.agent.main",
    "platekeeper.cli.agent",
]

_BLOCK_DJANGO = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "django" or name.startswith("django.") or name == "ninja":
            raise ImportError(f"{name} is blocked: this module must not need Django")
sys.meta_path.insert(0, Block())
import importlib
importlib.import_module(sys.argv[1])
"""


@pytest.mark.parametrize("module", DJANGO_FREE_MODULES)
def test_module_imports_without_django(module):
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", _BLOCK_DJANGO, module], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr

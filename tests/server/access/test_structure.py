"""Structural guard: only the access layer's query modules and the write path touch read tables.

Views, API routes, the CLI and everything else must go through `*/queries.py`, which passes
every read of ALPR data through the gate. This test fails when any other module queries the
Read or Image models through their managers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import platekeeper

PACKAGE = Path(platekeeper.__file__).resolve().parent
GUARDED_MODELS = {"Read", "Image"}
#: Modules allowed to use the managers: the gated queries and the write path (ingest, images,
#: the retention purge).
ALLOWED = {"queries.py", "actions.py", "images.py", "purge.py"}


def _manager_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    label = path.relative_to(PACKAGE) if path.is_relative_to(PACKAGE) else path.name
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in {"objects", "_default_manager", "_base_manager"}
            and isinstance(node.value, ast.Name)
            and node.value.id in GUARDED_MODELS
        ):
            found.append(f"{label}:{node.lineno} {node.value.id}.{node.attr}")
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "raw":
            found.append(f"{label}:{node.lineno} raw SQL")
    return found


def test_no_module_outside_the_access_layer_queries_reads():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.name in ALLOWED or "migrations" in path.parts:
            continue
        offenders.extend(_manager_uses(path))
    assert offenders == [], "query reads through a queries.py function instead:\n" + "\n".join(
        offenders
    )


def test_the_guard_catches_a_direct_query(tmp_path):
    sneaky = tmp_path / "views.py"
    sneaky.write_text("from x import Read\n\ndef v(request):\n    return Read.objects.all()\n")

    assert _manager_uses(sneaky) == ["views.py:4 Read.objects"]

"""The layers of platekeeper, checked.

The Django-free parts must import and work with Django unimportable; and in the server, each
model holding ALPR or audit data is queried only by the modules that own it (its gated queries
and actions), whatever another file is named (issue 13, item 7).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import platekeeper

PACKAGE = Path(platekeeper.__file__).resolve().parent

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


# --- who may query which model ---------------------------------------------------------------

SERVER = "platekeeper.server"
#: The modules that alone may query each guarded model (a package owns all its modules): the
#: gated reads and the write path. The model's own models module counts as its owner too.
#: Besides each model's app: `investigations.queries` holds the gated analyses of reads
#: (438.3(b)-(c)), and `retention` deletes every kind of data past its period (the purge) and
#: exports evidence through the gate. `reads.partitions` manages the tables' day partitions
#: on PostgreSQL (creating, converting and dropping them), so it names their tables in SQL.
_READS = (f"{SERVER}.reads.queries", f"{SERVER}.reads.actions", f"{SERVER}.reads.partitions")
_RETENTION = f"{SERVER}.retention"
OWNERS: dict[str, tuple[str, ...]] = {
    "reads.Read": (*_READS, f"{SERVER}.investigations.queries", _RETENTION),
    "reads.Image": (*_READS, f"{SERVER}.reads.images", _RETENTION),
    "alerts.Alert": (f"{SERVER}.alerts", _RETENTION),
    "alerts.AlertAction": (f"{SERVER}.alerts",),
    "hotlists.HotlistEntry": (f"{SERVER}.hotlists", _RETENTION),
    "access.AuditEvent": (
        f"{SERVER}.access.audit",
        f"{SERVER}.access.reports",
        # The Auditor's worklist: the sampled accesses it reviews, read through the gate.
        f"{SERVER}.reviews",
    ),
    "sharing.Disclosure": (f"{SERVER}.sharing",),
}
_MANAGERS = {"objects", "_default_manager", "_base_manager"}
#: Calls that run a query when made on a manager or a related manager.
_QUERY_METHODS = {
    "all", "filter", "exclude", "get", "get_or_create", "update_or_create", "create",
    "bulk_create", "count", "exists", "first", "last", "values", "values_list", "order_by",
    "iterator", "aggregate", "annotate", "select_related", "prefetch_related", "update",
    "delete", "latest", "earliest", "in_bulk", "only", "defer", "raw", "distinct",
}  # fmt: skip


@dataclass(frozen=True)
class Guarded:
    """A guarded model as the source code can name it."""

    label: str
    path: str  # dotted path of the class, e.g. platekeeper.server.reads.models.Read
    table: str
    accessors: frozenset[str]  # reverse relations other models reach it by (hotlist.entries)


def guarded_models() -> list[Guarded]:
    from django.apps import apps

    found = []
    for label in OWNERS:
        model = apps.get_model(label)
        accessors = {
            field.remote_field.get_accessor_name()
            for field in model._meta.get_fields()
            if field.concrete and field.is_relation and field.many_to_one
        }
        found.append(
            Guarded(
                label=label,
                path=f"{model.__module__}.{model.__name__}",
                table=model._meta.db_table,
                accessors=frozenset(accessors - {"+", None}),
            )
        )
    return found


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(
        ".__init__"
    )


class QueryFinder(ast.NodeVisitor):
    """The places one module queries guarded models: through their managers or reverse
    relations, `apps.get_model`, or SQL text naming their tables; imports and aliases followed."""

    def __init__(self, module: str, models: list[Guarded], is_package: bool = False) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.by_path = {m.path: m for m in models}
        self.by_label = {m.label.lower(): m for m in models}
        self.tables = re.compile(r"\b(" + "|".join(m.table for m in models) + r")\b")
        self.accessors = {a: m for m in models for a in m.accessors}
        self.names: dict[str, str] = {}  # local name -> dotted path it stands for
        self.found: list[tuple[int, str, str]] = []  # (line, model label, how)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.names[alias.asname] = alias.name
            else:
                head = alias.name.partition(".")[0]
                self.names[head] = head

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.package.split(".")
            parent = ".".join(parts[: len(parts) - node.level + 1])
            base = f"{parent}.{base}" if base else parent
        for alias in node.names:
            self.names[alias.asname or alias.name] = f"{base}.{alias.name}"

    def dotted(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Attribute):
            inner = self.dotted(node.value)
            return f"{inner}.{node.attr}" if inner else None
        return None

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _MANAGERS:
            model = self.by_path.get(self.dotted(node.value) or "")
            if model:
                self.found.append((node.lineno, model.label, f"{node.attr}"))
        elif node.attr in _QUERY_METHODS and isinstance(node.value, ast.Attribute):
            model = self.accessors.get(node.value.attr)
            if model and self.dotted(node.value) is None:
                self.found.append((node.lineno, model.label, f".{node.value.attr}.{node.attr}"))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if name == "get_model" and all(isinstance(t, str) for t in texts):
            model = self.by_label.get(".".join(texts).lower())
            if model:
                self.found.append((node.lineno, model.label, "get_model"))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str):
            for table in self.tables.findall(node.value):
                label = next(m.label for m in self.by_path.values() if m.table == table)
                self.found.append((node.lineno, label, f"SQL naming {table}"))


def owns(module: str, label: str) -> bool:
    owners = (*OWNERS[label], f"{SERVER}.{label.partition('.')[0]}.models")
    return any(module == owner or module.startswith(f"{owner}.") for owner in owners)


def foreign_queries(path: Path, module: str, models: list[Guarded]) -> list[str]:
    """Each query of a guarded model in this file that its module does not own."""
    finder = QueryFinder(module, models, is_package=path.name == "__init__.py")
    finder.visit(ast.parse(path.read_text(), filename=str(path)))
    return [
        f"{module}:{line} queries {label} ({how})"
        for line, label, how in finder.found
        if not owns(module, label)
    ]


def test_only_the_owning_modules_query_guarded_models():
    models = guarded_models()
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        offenders += foreign_queries(path, module_name(path), models)
    assert offenders == [], (
        "ask the owning module (see OWNERS) through its gated query or action instead:\n"
        + "\n".join(offenders)
    )


_SNEAKY = {
    "reads.Read": "from platekeeper.server.reads.models import Read\nRead.objects.all()\n",
    "alerts.Alert": "from platekeeper.server.alerts import models as m\nm.Alert._base_manager\n",
    "access.AuditEvent": "import platekeeper.server.access.models as am\nam.AuditEvent.objects\n",
    "hotlists.HotlistEntry": "def f(hotlist):\n    return hotlist.entries.filter(plate='X')\n",
    "sharing.Disclosure": "from django.apps import apps\napps.get_model('sharing', 'Disclosure')\n",
    "alerts.AlertAction": "def f(c):\n    c.execute('SELECT note FROM alerts_alertaction')\n",
}


@pytest.mark.parametrize(("found", "source"), _SNEAKY.items(), ids=list(_SNEAKY))
def test_the_guard_catches_a_query_whatever_the_file_is_named(tmp_path, source, found):
    sneaky = tmp_path / "queries.py"
    sneaky.write_text(source)

    offences = foreign_queries(sneaky, f"{SERVER}.web.queries", guarded_models())

    assert len(offences) == 1, offences
    assert f"queries {found} (" in offences[0]


def test_the_guard_follows_imports_not_names():
    source = "from PIL import Image\nImage.objects = 1\nfrom .models import Read\nRead.objects\n"
    path = PACKAGE / "server" / "reads" / "queries.py"

    finder = QueryFinder(f"{SERVER}.reads.queries", guarded_models())
    finder.visit(ast.parse(source))

    assert [(line, label) for line, label, _ in finder.found] == [(4, "reads.Read")]
    assert owns(module_name(path), "reads.Read")

"""Documentation kept honest: every setting and CLI command the code has is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import click

from platekeeper.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text()


def test_every_environment_variable_read_by_the_code_is_in_the_readme_table():
    used = set()
    for path in (REPO / "src").rglob("*.py"):
        used |= set(re.findall(r"PLATEKEEPER_[A-Z_]+", path.read_text()))
    documented = set(re.findall(r"^\| `(PLATEKEEPER_[A-Z_]+)`", README, flags=re.MULTILINE))
    assert sorted(used - documented) == []


def test_every_cli_command_is_in_the_readme():
    missing = []
    for name, command in cli.commands.items():
        names = [name]
        if isinstance(command, click.Group):
            names = [f"{name} {sub}" for sub in command.commands]
        missing += [n for n in names if f"platekeeper {n}" not in README]
    assert missing == []

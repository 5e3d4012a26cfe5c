"""Every command answers --help, and the bare group is instant (no Django at import)."""

from __future__ import annotations

import subprocess
import sys

import click
from click.testing import CliRunner

from platekeeper.cli.main import cli


def _all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _all_commands(command, (*prefix, name))


def test_every_command_has_help():
    runner = CliRunner()
    for path in _all_commands(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_help_does_not_load_django():
    code = "import sys; from platekeeper.cli.main import cli; print('django' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"

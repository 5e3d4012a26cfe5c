"""A `platekeeper` subcommand as a real child process with its output in a log file: the agent
and the Frigate bridge tests start, kill and stop them the same way."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class LoggedProcess:
    """`python -m platekeeper ARGS` from this checkout (its `src`, and the repository root for
    test plugins such as `tests.agent.block_engine`), stdout and stderr appended to `log_path`
    (a restarted process keeps writing to the same log)."""

    def __init__(self, args: Sequence[str], log_path: Path) -> None:
        self.log_path = log_path
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)]),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        with log_path.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
                [sys.executable, "-m", "platekeeper", *args],
                env=env,
                cwd=REPO,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text()

    def kill(self) -> None:
        """Stop it at once, as a power cut would (SIGKILL)."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> int:
        """Ask it to stop (SIGTERM), kill it if it will not within 20 s; its exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return self.process.returncode

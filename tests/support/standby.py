"""A PostgreSQL primary and a streaming hot standby of it, as real clusters on free ports.

The standby is made the way an operator would: `pg_basebackup -R` from the primary (which
writes its `primary_conninfo` and `standby.signal`), then started on its own port. Both are
private to the test (initdb in a temporary folder, trust auth on 127.0.0.1 only), so the
shared server's configuration is never touched. Run as root, the clusters run as `postgres`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.live import free_port


def postgres_bindir() -> Path | None:
    """Where initdb, pg_ctl and pg_basebackup live, or None when PostgreSQL is not installed."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run(  # noqa: S603 - pg_config, fixed argument
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if (Path(found) / "pg_basebackup").exists():
            return Path(found)
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), reverse=True)
    return candidates[0].parent if candidates else None


@dataclass
class Pair:
    """The two clusters: their ports, and control over the standby."""

    bindir: Path
    root: Path
    primary_port: int
    standby_port: int

    def url(self, port: int, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def stop_standby(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "standby"), "-m", "immediate", "stop")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(  # noqa: S603 - PostgreSQL's own tools, fixed arguments
            command, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stderr or done.stdout}")


@contextlib.contextmanager
def primary_and_standby() -> Iterator[Pair]:
    bindir = postgres_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_basebackup) are not installed")
    root = Path(tempfile.mkdtemp(prefix="pk-standby-"))
    root.chmod(0o755)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    pair = Pair(bindir, root, free_port(), free_port())
    primary, standby = root / "primary", root / "standby"
    started = []
    try:
        pair._run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        settings = (
            f"port = {pair.primary_port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
            "fsync = off\nshared_buffers = 16MB\n"
        )
        _append_as_postgres(pair, primary / "postgresql.conf", settings)
        pair._run("pg_ctl", "-D", str(primary), "-l", str(root / "primary.log"), "-w", "start")
        started.append(primary)
        pair._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(pair.primary_port), "-U", "postgres",
            "-D", str(standby), "-R", "-X", "stream",
        )  # fmt: skip
        _append_as_postgres(pair, standby / "postgresql.conf", f"port = {pair.standby_port}\n")
        pair._run("pg_ctl", "-D", str(standby), "-l", str(root / "standby.log"), "-w", "start")
        started.append(standby)
        yield pair
    finally:
        for cluster in reversed(started):
            with contextlib.suppress(RuntimeError):
                pair._run("pg_ctl", "-D", str(cluster), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


def _append_as_postgres(pair: Pair, path: Path, text: str) -> None:
    with path.open("a") as handle:
        handle.write(text)

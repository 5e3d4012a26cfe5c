"""Real processes for end-to-end tests: the CLI, and `platekeeper serve` on a free local port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def isolated_environment(
    data_dir: Path, database_url: str | None = None
) -> Iterator[dict[str, str]]:
    """An environment for child processes with its own data dir and, on PostgreSQL, its own
    freshly created database (dropped afterwards).

    `database_url` defaults to this process's DATABASE_URL; only its server is used.
    """
    env = {**os.environ, "PLATEKEEPER_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    url = database_url if database_url is not None else os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env.pop("DATABASE_URL", None)
        yield env
        return
    import psycopg

    name = f"platekeeper_live_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_cli(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess:
    """Run `platekeeper ARGS` as a user would, capturing its output."""
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "platekeeper", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def investigator_token(env: dict[str, str], username: str = "ines") -> str:
    """An investigator with current training and a personal API token, made with the CLI."""
    import datetime as dt

    from tests.support.people import PASSWORD  # Django models: only once a test runs

    yesterday = (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    steps = [
        (("user", "add", username, "--role", "investigator", "--password-stdin"), PASSWORD),
        (("training", "record", username, "--completed", yesterday), None),
        (("token", "create", username), None),
    ]
    for args, stdin in steps:
        done = run_cli(env, *args, stdin=stdin)
        if done.returncode != 0:
            raise RuntimeError(f"platekeeper {' '.join(args)} failed: {done.stderr}")
    return done.stdout.strip().splitlines()[-1]


@contextlib.contextmanager
def running_server(env: dict[str, str], *extra_args: str, port: int | None = None) -> Iterator[str]:
    """Start `platekeeper serve` and yield its base URL once it answers.

    `port` chooses the port (to stop a server and bring it back on the same one); by default a
    free one is taken.
    """
    port = port or free_port()
    log = Path(env["PLATEKEEPER_DATA_DIR"]) / f"server-{port}.log"
    with log.open("a") as out:
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "platekeeper", "serve", "--port", str(port), *extra_args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(process, base, log, seconds=60, what="server")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_serving(
    process: subprocess.Popen, base: str, log: Path, *, seconds: float, what: str
) -> None:
    """Poll `base`/healthz until it answers 200; fail with the process's log if it exits first
    or does not answer within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited early:\n{log.read_text()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {seconds:g} s:\n{log.read_text()}")
        time.sleep(0.1)

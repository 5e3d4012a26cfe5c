"""Logins at the same moment, over HTTP against a real `platekeeper serve` on PostgreSQL: the
lockout and the one-time second factor cannot be raced.

PostgreSQL only: there, two transactions read and write the same user row at once unless the
code locks it (SQLite runs one writing transaction at a time, so it never raced). `make
test-postgres` runs these; PLATEKEEPER_REQUIRE_POSTGRES=1 makes them mandatory.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import threading
from collections.abc import Callable, Iterator

import httpx
import pyotp
import pytest

from platekeeper.server.access.actions import LOCKOUT_THRESHOLD
from tests.support.live import isolated_environment, run_cli, running_server
from tests.support.people import PASSWORD
from tests.support.postgres import pg_connect

pytestmark = [
    pytest.mark.both_databases,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL only: runs in `make test-postgres`",
    ),
]

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """A server on its own PostgreSQL database, with the users `ines` and `otto`."""
    with isolated_environment(tmp_path_factory.mktemp("races")) as env:
        for name in ("ines", "otto"):
            added = run_cli(env, "user", "add", name, "--role", "investigator", "--password-stdin",
                            stdin=PASSWORD)  # fmt: skip
            assert added.returncode == 0, added.stderr
        with running_server(env) as base:
            yield base, env["DATABASE_URL"]


def _form_token(client: httpx.Client, path: str) -> str:
    return _CSRF.search(client.get(path).text).group(1)


def _all_at_once(count: int, prepare: Callable[[httpx.Client], Callable[[], int]]) -> list[int]:
    """Give each of `count` clients its own session (`prepare`), then fire their last request
    together; return the statuses."""
    start = threading.Barrier(count)

    def one(client: httpx.Client) -> int:
        fire = prepare(client)
        start.wait()
        return fire()

    clients = [httpx.Client(timeout=60) for _ in range(count)]
    try:
        with concurrent.futures.ThreadPoolExecutor(count) as pool:
            return list(pool.map(one, clients))
    finally:
        for client in clients:
            client.close()


def test_twenty_parallel_wrong_passwords_lock_the_account_after_five(server):
    base, database_url = server

    def prepare(client: httpx.Client) -> Callable[[], int]:
        token = _form_token(client, f"{base}/login")
        form = {"username": "ines", "password": "wrong-password", "csrfmiddlewaretoken": token}
        return lambda: client.post(f"{base}/login", data=form).status_code

    statuses = _all_at_once(20, prepare)

    with pg_connect(database_url) as conn:
        failed, locked = conn.execute(
            "SELECT failed_logins, locked_until IS NOT NULL FROM access_user "
            "WHERE username = 'ines'"
        ).fetchone()
        judged = conn.execute(
            "SELECT count(*) FROM access_auditevent "
            "WHERE username = 'ines' AND reason = 'wrong password'"
        ).fetchone()[0]
    assert statuses == [401] * 20
    assert (failed, locked) == (LOCKOUT_THRESHOLD, True)
    assert judged == LOCKOUT_THRESHOLD  # the other fifteen guesses were never tried


def test_one_second_factor_code_sent_five_times_at_once_signs_in_once(server):
    base, database_url = server
    secret = pyotp.random_base32()
    with pg_connect(database_url) as conn:
        conn.execute(
            "UPDATE access_user SET totp_secret = %s, totp_confirmed = true, totp_last_step = 0 "
            "WHERE username = 'otto'",
            [secret],
        )

    def prepare(client: httpx.Client) -> Callable[[], int]:
        token = _form_token(client, f"{base}/login")
        client.post(
            f"{base}/login",
            data={"username": "otto", "password": PASSWORD, "csrfmiddlewaretoken": token},
        )
        form = {"code": "", "csrfmiddlewaretoken": _form_token(client, f"{base}/login/code")}

        def fire() -> int:
            form["code"] = pyotp.TOTP(secret).now()
            return client.post(f"{base}/login/code", data=form).status_code

        return fire

    statuses = _all_at_once(5, prepare)

    assert sorted(statuses) == [302, 401, 401, 401, 401]

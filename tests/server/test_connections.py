"""PostgreSQL connections under load, against a real `platekeeper serve`: bounded by the pool,
and a request that cannot get one in time answers 503 with Retry-After, never 500.

PostgreSQL only (SQLite has no connection limit to run out of); `make test-postgres` runs these,
and PLATEKEEPER_REQUIRE_POSTGRES=1 makes them mandatory.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live import investigator_token, isolated_environment, running_server
from tests.support.postgres import pg_connect, server_connections

pytestmark = [
    pytest.mark.both_databases,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="PostgreSQL only: runs in `make test-postgres`",
    ),
]

SEARCH = "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=24-001"


@contextlib.contextmanager
def _server(tmp_path, **settings: str) -> Iterator[tuple[str, dict[str, str], str]]:
    with isolated_environment(tmp_path) as env:
        env.update(settings)
        token = investigator_token(env)
        with running_server(env) as base:
            yield base, env, token


def _peak_connections(database_url: str, stop: threading.Event, peak: list[int]) -> None:
    with pg_connect(database_url) as watcher:
        while not stop.is_set():
            peak[0] = max(peak[0], server_connections(watcher))
            time.sleep(0.02)


def test_concurrent_searches_never_hold_more_connections_than_the_pool(tmp_path):
    """GIVEN a server with a pool of 3 WHEN 12 clients search at once for 4 s THEN PostgreSQL
    never sees more than 3 connections from it, and every search answers 200."""
    with _server(tmp_path, PLATEKEEPER_DB_POOL_SIZE="3") as (base, env, token):
        stop, peak = threading.Event(), [0]
        watcher = threading.Thread(target=_peak_connections, args=(env["DATABASE_URL"], stop, peak))
        watcher.start()
        headers = {"Authorization": f"Bearer {token}"}

        def client() -> Counter[int]:
            statuses: Counter[int] = Counter()
            deadline = time.monotonic() + 4
            with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
                while time.monotonic() < deadline:
                    statuses[http.get(SEARCH).status_code] += 1
            return statuses

        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            results = list(pool.map(lambda _: client(), range(12)))
        stop.set()
        watcher.join()
        with pg_connect(env["DATABASE_URL"]) as conn:
            after = server_connections(conn)

    statuses = sum(results, Counter())
    assert set(statuses) == {200}, statuses
    assert 1 <= peak[0] <= 3
    assert after <= 3


def test_a_request_that_cannot_get_a_connection_in_time_answers_503_with_retry_after(tmp_path):
    """GIVEN a pool of 2 whose connections both wait on a row lock (the token's, which every
    call with it updates) WHEN a third request comes THEN it answers 503 with Retry-After after
    the pool timeout, and the first two still succeed once the lock is gone."""
    with _server(tmp_path, PLATEKEEPER_DB_POOL_SIZE="2", PLATEKEEPER_DB_POOL_TIMEOUT="1") as (
        base,
        env,
        token,
    ):
        headers = {"Authorization": f"Bearer {token}"}
        with (
            pg_connect(env["DATABASE_URL"]) as blocker,
            concurrent.futures.ThreadPoolExecutor(2) as pool,
        ):
            _wait_until_idle(blocker)
            with blocker.transaction():
                blocker.execute("SELECT 1 FROM access_personaltoken FOR UPDATE")
                stuck = [
                    pool.submit(httpx.get, f"{base}{SEARCH}", headers=headers, timeout=30)
                    for _ in range(2)
                ]
                _wait_for_lock_waiters(blocker, 2)
                started = time.monotonic()
                third = httpx.get(f"{base}{SEARCH}", headers=headers, timeout=30)
                waited = time.monotonic() - started
            first_two = [future.result().status_code for future in stuck]

    assert third.status_code == 503
    assert third.headers["Retry-After"].isdigit()
    assert "database connection" in third.json()["detail"]
    assert 0.9 <= waited < 10
    assert first_two == [200, 200]


def _wait_until_idle(conn) -> None:
    """Until the server's start-up jobs (purge, sharing check, checkpoint) are done."""
    deadline, quiet = time.monotonic() + 20, 0
    while time.monotonic() < deadline and quiet < 5:
        busy = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state <> 'idle' AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        quiet = quiet + 1 if busy == 0 else 0
        time.sleep(0.05)


def _wait_for_lock_waiters(conn, count: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        waiting = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        ).fetchone()[0]
        if waiting >= count:
            return
        time.sleep(0.05)
    rows = conn.execute(
        "SELECT pid, state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity "
        "WHERE datname = current_database()"
    ).fetchall()
    raise AssertionError(f"{count} requests never waited on the lock: {rows}")

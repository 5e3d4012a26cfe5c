"""Searches read from a real streaming standby, and fall back to the primary when it lags or
is down; the audit record is always written on the primary.

Two private clusters (`tests.support.standby`): a primary, and a standby made from it with
`pg_basebackup -R`. Runs in the PostgreSQL pass of `make test` (mandatory there under
PLATEKEEPER_REQUIRE_POSTGRES=1).
"""

from __future__ import annotations

import os
import time
import uuid

import httpx
import psycopg
import pytest

from tests.support.live import investigator_token, isolated_environment, run_cli, running_server
from tests.support.standby import postgres_bindir, primary_and_standby

pytestmark = pytest.mark.both_databases
PLATE = "7REP001"
SEARCH = f"/api/v1/reads/search?plate={PLATE}&purpose=stolen_vehicle&case_number=24-001"


@pytest.fixture
def standby_pair():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs in the PostgreSQL pass")
    if postgres_bindir() is None and os.environ.get("PLATEKEEPER_REQUIRE_POSTGRES") != "1":
        pytest.skip("PostgreSQL server binaries are not installed")
    with primary_and_standby() as pair:
        yield pair


def test_searches_read_from_the_standby_and_fall_back_when_it_lags_or_is_down(
    standby_pair, tmp_path
):
    pair = standby_pair
    admin = pair.url(pair.primary_port, "postgres")
    with isolated_environment(tmp_path / "data", admin) as env:
        database = env["DATABASE_URL"].rsplit("/", 1)[1]
        standby_url = pair.url(pair.standby_port, database)
        camera = run_cli(env, "camera", "add", "Replica St", "--lat", "37.8", "--lon", "-122.2")
        device = {"Authorization": f"Bearer {camera.stdout.strip().splitlines()[-1]}"}
        officer = {"Authorization": f"Bearer {investigator_token(env)}"}
        trusting = {**env, "DATABASE_REPLICA_URLS": standby_url}
        trusting["PLATEKEEPER_REPLICA_MAX_LAG_SECONDS"] = "3600"
        strict = {**trusting, "PLATEKEEPER_REPLICA_MAX_LAG_SECONDS": "0"}
        with running_server(trusting) as lenient, running_server(strict) as fussy:
            first = _post_read(lenient, device)
            _wait_until_replayed(standby_url, first)
            with psycopg.connect(standby_url, autocommit=True) as standby:
                standby.execute("SELECT pg_wal_replay_pause()")
            second = _post_read(lenient, device)
            time.sleep(1.5)  # the standby's last replayed transaction ages past a 0 s lag

            from_standby = _found(lenient, officer)
            from_primary = _found(fussy, officer)
            pair.stop_standby()
            standby_down = _found(lenient, officer)

        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as primary:
            audited = primary.execute(
                "SELECT count(*) FROM access_auditevent WHERE action = 'reads.search' "
                "AND outcome = 'allowed'"
            ).fetchone()[0]

    # Trusted with any lag, the paused standby answers: it has only the first read.
    assert from_standby == {first}
    # Allowed no lag, or with the standby down, the primary answers with both.
    assert from_primary == {first, second}
    assert standby_down == {first, second}
    assert audited == 3


def _post_read(base: str, device: dict) -> str:
    read_id = str(uuid.uuid4())
    item = {"id": read_id, "plate": PLATE, "captured_at": _now()}
    answer = httpx.post(f"{base}/api/v1/reads", json={"reads": [item]}, headers=device, timeout=30)
    assert answer.status_code == 200, answer.text
    return read_id


def _found(base: str, officer: dict) -> set[str]:
    answer = httpx.get(f"{base}{SEARCH}", headers=officer, timeout=30)
    assert answer.status_code == 200, answer.text
    return {row["id"] for row in answer.json()["results"]}


def _wait_until_replayed(standby_url: str, read_id: str) -> None:
    deadline = time.monotonic() + 30
    with psycopg.connect(standby_url, autocommit=True) as standby:
        while not standby.execute("SELECT 1 FROM reads_read WHERE id = %s", [read_id]).fetchone():
            assert time.monotonic() < deadline, "the standby never replayed the read"
            time.sleep(0.1)


def _now() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat()

"""The audit log survives a database superuser, against a real `platekeeper serve`: checkpoints
every interval while events are written and when the server stops, so deleting the newest
events (triggers dropped first) is found by `platekeeper audit verify`; the key kept apart.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from platekeeper.server.access.audit import Actor, record_event, write_checkpoint
from tests.support.live import (
    investigator_token,
    isolated_environment,
    run_cli,
    running_server,
)
from tests.support.postgres import pg_connect

pytestmark = pytest.mark.both_databases

SEARCH = "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=24-001"


def _sql(env: dict[str, str], *statements: str) -> list[tuple]:
    """Run statements as the database's superuser would, straight on its files or server;
    return the rows of the last."""
    if env.get("DATABASE_URL", "").startswith("postgres"):
        with pg_connect(env["DATABASE_URL"]) as conn:
            for statement in statements:
                cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []
    conn = sqlite3.connect(Path(env["PLATEKEEPER_DATA_DIR"]) / "platekeeper.sqlite3")
    try:
        for statement in statements[:-1]:
            conn.execute(statement)
        rows = conn.execute(statements[-1]).fetchall()
        conn.commit()
        return rows
    finally:
        conn.close()


def _newest_event(env: dict[str, str]) -> int:
    return _sql(env, "SELECT max(id) FROM access_auditevent")[0][0]


def _delete_events_after(env: dict[str, str], event_id: int) -> None:
    """What an intruder with superuser access does: drop the triggers, delete the newest rows."""
    if env.get("DATABASE_URL", "").startswith("postgres"):
        drop = ["DROP TRIGGER access_auditevent_no_change ON access_auditevent"]
    else:
        drop = [
            "DROP TRIGGER access_auditevent_no_update",
            "DROP TRIGGER access_auditevent_no_delete",
        ]
    _sql(env, *drop, f"DELETE FROM access_auditevent WHERE id > {int(event_id)}")  # noqa: S608 - an int


def _checkpointed(env: dict[str, str]) -> int:
    path = Path(env["PLATEKEEPER_DATA_DIR"]) / "audit" / "checkpoints.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return max((json.loads(line)["event_id"] for line in lines if line.strip()), default=0)


def _search_three_times(base: str, token: str) -> None:
    for _ in range(3):
        assert httpx.get(f"{base}{SEARCH}", headers={"Authorization": f"Bearer {token}"}).is_success


def test_deleting_the_newest_events_of_a_running_server_is_found_after_one_interval(tmp_path):
    """GIVEN a server that checkpoints every second WHEN three searches are made, a second
    passes, and a superuser deletes the three audit events THEN verify fails naming it."""
    with isolated_environment(tmp_path) as env:
        env["PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS"] = "1"
        token = investigator_token(env)
        with running_server(env) as base:
            before = _newest_event(env)
            _search_three_times(base, token)
            newest = _newest_event(env)
            deadline = time.monotonic() + 15
            while _checkpointed(env) < newest and time.monotonic() < deadline:
                time.sleep(0.1)
            assert _checkpointed(env) >= newest, "no checkpoint covered the searches in 15 s"
            _delete_events_after(env, before)
            verified = run_cli(env, "audit", "verify")

    assert verified.returncode == 1
    assert "checkpoint" in verified.stderr
    assert f"now ends at #{before}" in verified.stderr


def test_the_events_of_the_last_moments_before_shutdown_are_checkpointed(tmp_path):
    """GIVEN a server whose interval is an hour WHEN it stops right after three searches and a
    superuser then deletes them THEN verify fails: the server checkpointed as it stopped."""
    with isolated_environment(tmp_path) as env:
        env["PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS"] = "3600"
        token = investigator_token(env)
        with running_server(env) as base:
            time.sleep(0.5)  # the start-up checkpoint is written
            before = _newest_event(env)
            _search_three_times(base, token)
        honest = run_cli(env, "audit", "verify")
        _delete_events_after(env, before)
        verified = run_cli(env, "audit", "verify")

    assert honest.returncode == 0, honest.stderr
    assert "Audit log intact" in honest.stdout
    assert verified.returncode == 1
    assert "checkpoint" in verified.stderr


def test_production_refuses_to_start_with_the_audit_key_beside_the_sqlite_database(tmp_path):
    with isolated_environment(tmp_path / "data", database_url="") as env:
        env["PLATEKEEPER_ENV"] = "production"
        refused = run_cli(env, "serve", "--port", "9")
        compliance = run_cli(env, "compliance")
        # As the refusal says: the key moves out of the data dir, and the setting follows it.
        (tmp_path / "keys").mkdir()
        (tmp_path / "data" / "audit_key").rename(tmp_path / "keys" / "audit.key")
        env["PLATEKEEPER_AUDIT_KEY_FILE"] = str(tmp_path / "keys" / "audit.key")
        with running_server(env) as base:
            started = httpx.get(f"{base}/healthz").status_code

    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: PLATEKEEPER_ENV=production refuses to start")
    assert "PLATEKEEPER_AUDIT_KEY" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert compliance.returncode == 1
    assert "kept with the database" in compliance.stdout
    assert started == 200
    assert (tmp_path / "keys" / "audit.key").exists()


@pytest.mark.django_db
def test_each_checkpoint_also_goes_to_syslog(settings):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(5)
        settings.PLATEKEEPER_AUDIT_SYSLOG = f"127.0.0.1:{receiver.getsockname()[1]}"
        event = record_event(actor=Actor("alice"), action="reads.search")

        written = write_checkpoint()
        message = receiver.recv(4096).decode()

    assert written["event_id"] == event.pk
    assert "platekeeper audit checkpoint" in message
    assert event.hash in message


def test_a_lost_audit_key_file_is_refused_not_replaced_by_a_new_key(tmp_path):
    key_file = tmp_path / "keys" / "audit.key"
    with isolated_environment(tmp_path / "data") as env:
        env["PLATEKEEPER_AUDIT_KEY_FILE"] = str(key_file)
        added = run_cli(env, "camera", "add", "Moraga Ave", "--lat", "37.83", "--lon", "-122.22")
        key_file.unlink()  # the key moved away (a new host, a restore without the key)
        changed = run_cli(env, "camera", "add", "Oak Rd", "--lat", "37.82", "--lon", "-122.21")
        served = run_cli(env, "serve", "--port", "9")
        verified = run_cli(env, "audit", "verify")

    assert added.returncode == 0, added.stderr
    for refused in (changed, served, verified):
        assert refused.returncode == 1, refused.stdout
        assert refused.stderr.startswith("Error: the audit key file"), refused.stderr
        assert "PLATEKEEPER_AUDIT_KEY_FILE" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    assert not key_file.exists()

"""Durable by default: the server's SQLite commits to disk before it answers."""

from __future__ import annotations

import sqlite3

from platekeeper.server.environment import sqlite_database


def test_the_server_sqlite_waits_for_the_disk_on_every_commit(tmp_path):
    """synchronous=FULL: a power loss after the answer cannot drop reads the agent has already
    deleted from its outbox (NORMAL in WAL mode may lose the last commits)."""
    options = sqlite_database(tmp_path / "server.sqlite3")["OPTIONS"]
    conn = sqlite3.connect(tmp_path / "server.sqlite3")
    try:
        conn.executescript(options["init_command"])
        level = conn.execute("PRAGMA synchronous").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()

    assert (level, journal) == (2, "wal")  # 2 is FULL

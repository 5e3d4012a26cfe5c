"""Finding out whether the PostgreSQL server named by DATABASE_URL answers."""

from __future__ import annotations

from urllib.parse import urlsplit


def postgres_unavailable_reason(url: str) -> str | None:
    """Return why the server cannot be used, or None when it answers."""
    import psycopg

    parts = urlsplit(url)
    try:
        with psycopg.connect(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=parts.username or "postgres",
            password=parts.password or None,
            dbname="postgres",
            connect_timeout=3,
        ):
            return None
    except psycopg.Error as error:
        return f"no PostgreSQL server answers at {parts.hostname}:{parts.port or 5432} ({error})"


def pg_connect(url: str, **options: object):
    """A plain psycopg connection (autocommit) to the database `url` names, for watching or
    locking from outside the server under test."""
    import psycopg

    return psycopg.connect(url, autocommit=True, **options)


def server_connections(conn) -> int:
    """How many other connections PostgreSQL has open to `conn`'s database now."""
    return conn.execute(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()[0]

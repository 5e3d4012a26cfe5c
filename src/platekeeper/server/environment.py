"""Typed readers for PLATEKEEPER_* environment variables that fail fast on a bad value."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from platekeeper.errors import PlatekeeperError


class ConfigurationError(PlatekeeperError, RuntimeError):
    """A setting has a value the server cannot use; the message says how to fix it."""


def env_str(name: str, default: str) -> str:
    """Return the variable's value, or the default when it is unset or empty."""
    return os.environ.get(name) or default


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """Return the variable as an integer of at least `minimum`, refusing anything else."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_bool(name: str, default: bool) -> bool:
    """Return the variable as a boolean (1/true/yes/on or 0/false/no/off)."""
    raw = os.environ.get(name)
    if not raw:
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be one of 1/0, true/false, yes/no, on/off, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def data_dir() -> Path:
    """Return PLATEKEEPER_DATA_DIR (default ./var) as an absolute path, creating it if needed."""
    path = Path(env_str("PLATEKEEPER_DATA_DIR", "var")).expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def persistent_secret(name: str, filename: str) -> str:
    """Return the secret in environment variable `name`, else one kept in a data-dir file.

    A fresh install works without setup: the first start writes a random secret readable only
    by its owner, and later starts reuse it so sessions and audit signatures stay valid.
    """
    from_env = os.environ.get(name)
    if from_env:
        return from_env
    return secret_in_file(data_dir() / filename)


def secret_in_file(path: Path) -> str:
    """Return the secret kept in `path`, writing a random one (owner-only) if there is none."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


#: The values PLATEKEEPER_ENV may take; production refuses settings unsafe for real data.
ENVIRONMENTS = ("development", "production")


def environment_kind() -> str:
    """PLATEKEEPER_ENV: `development` (default) or `production`."""
    kind = env_str("PLATEKEEPER_ENV", "development").strip().lower()
    if kind not in ENVIRONMENTS:
        raise ConfigurationError(f"PLATEKEEPER_ENV must be development or production, not {kind!r}")
    return kind


def env_seconds(name: str, default: float, *, minimum: float = 0.0) -> float:
    """Return the variable as a number of seconds (decimals allowed) of at least `minimum`."""
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not minimum <= value < float("inf"):
        raise ConfigurationError(f"{name} must be at least {minimum} seconds, not {raw}")
    return value


#: Connections one server process keeps to PostgreSQL at most (PLATEKEEPER_DB_POOL_SIZE).
DEFAULT_POOL_SIZE = 10
#: Seconds a request waits for a free connection before it answers 503.
DEFAULT_POOL_TIMEOUT = 10.0


def database_from_url(url: str) -> dict[str, object]:
    """Translate a DATABASE_URL (postgresql://user:pass@host:port/name or sqlite:///path).

    PostgreSQL connections come from one pool per process (psycopg's, through Django), of at
    most PLATEKEEPER_DB_POOL_SIZE connections: each request borrows one and gives it back when
    it ends (CONN_MAX_AGE 0), so the connections are bounded whatever the load, and a request
    that waits longer than PLATEKEEPER_DB_POOL_TIMEOUT for one answers 503 (`common.busy`).
    """
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError("DATABASE_URL must name a database, e.g. .../platekeeper")
        size = env_int("PLATEKEEPER_DB_POOL_SIZE", DEFAULT_POOL_SIZE, minimum=1)
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {
                "pool": {
                    "min_size": min(2, size),
                    "max_size": size,
                    "timeout": env_seconds(
                        "PLATEKEEPER_DB_POOL_TIMEOUT", DEFAULT_POOL_TIMEOUT, minimum=0.1
                    ),
                    # Connections above min_size close after a minute unused.
                    "max_idle": 60.0,
                },
            },
        }
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)))
    raise ConfigurationError(
        f"DATABASE_URL must start with postgresql:// or sqlite://, not {parts.scheme or url!r}://"
    )


def replica_databases(urls: list[str]) -> dict[str, dict[str, object]]:
    """Database settings for DATABASE_REPLICA_URLS: aliases replica1, replica2, ... (PostgreSQL
    hot standbys, read by `server.replicas`). No pool: a standby that is down must cost one
    short connection attempt (2 s at most), not a wait for a pool that cannot fill."""
    databases = {}
    for number, url in enumerate(urls, start=1):
        if urlsplit(url).scheme not in {"postgres", "postgresql"}:
            raise ConfigurationError(f"DATABASE_REPLICA_URLS: {url!r} is not a postgresql:// URL")
        replica = database_from_url(url)
        replica["OPTIONS"] = {"connect_timeout": 2}
        replica["TEST"] = {"MIRROR": "default"}
        databases[f"replica{number}"] = replica
    return databases


def sqlite_database(path: Path) -> dict[str, object]:
    """SQLite settings for a server: WAL so readers never block the writer, IMMEDIATE writes,
    and `synchronous=FULL` so a committed batch survives a power loss (the agent deletes reads
    from its outbox once the server has answered for them)."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL;PRAGMA synchronous=FULL;PRAGMA foreign_keys=ON;"
            ),
        },
    }

"""Fixtures shared by the whole suite, and the PostgreSQL switch.

`make test` runs the suite on SQLite, then runs the tests marked `both_databases` again with
DATABASE_URL pointing at PostgreSQL. When no PostgreSQL answers, that second run skips with a
reason, unless PLATEKEEPER_REQUIRE_POSTGRES=1 (set by .ci/run), which turns the skip into a failure.

Both runs spread over pytest-xdist workers (PYTEST_WORKERS in the Makefile); each worker has its
own test database (pytest-django adds the worker's name, e.g. test_platekeeper_gw0) and its own
temporary directories.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support.postgres import postgres_unavailable_reason

_POSTGRES_UNAVAILABLE = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    """Ask the PostgreSQL server once per process, before any test runs.

    Under pytest-xdist this hook also runs in the controlling process, so a required but absent
    server stops the run there with one message instead of crashing every worker.
    """
    url = os.environ.get("DATABASE_URL", "")
    reason = postgres_unavailable_reason(url) if url.startswith("postgres") else None
    if reason is not None and os.environ.get("PLATEKEEPER_REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError(f"PLATEKEEPER_REQUIRE_POSTGRES=1 but {reason}")
    config.stash[_POSTGRES_UNAVAILABLE] = reason


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = config.stash[_POSTGRES_UNAVAILABLE]
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"{reason} (set DATABASE_URL to a reachable server)")
    for item in items:
        item.add_marker(skip)


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings):
    """Hash passwords in-process at Argon2's lowest cost (see tests/support/passwords.py)."""
    settings.PASSWORD_HASHERS = ["tests.support.passwords.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_data_dir(settings, tmp_path):
    """Give every test its own image store and data directory."""
    media = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }


# Property-based tests: the same few examples every run of `make test`; `make fuzz` sets
# HYPOTHESIS_PROFILE=fuzz for many more, new each time.
hypothesis_settings.register_profile(
    "default", max_examples=5, derandomize=True, deadline=None, database=None
)
hypothesis_settings.register_profile("fuzz", max_examples=300, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

"""`platekeeper storage partitions|prepare` as an administrator uses them."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.db import connection

from platekeeper.cli.main import cli
from tests.support.live import isolated_environment, run_cli

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_storage_on_sqlite_says_there_is_one_table():
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite")
    shown = run("storage", "partitions")

    assert shown.exit_code == 0
    assert "PostgreSQL only" in shown.output


def test_storage_lists_days_and_prepares_more_ahead(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("day partitions exist on PostgreSQL only")
    far = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
    with isolated_environment(tmp_path) as env:
        prepared = run_cli(env, "storage", "prepare", "--days", "30")
        again = run_cli(env, "storage", "prepare", "--days", "30")
        shown = run_cli(env, "storage", "partitions")

    assert prepared.returncode == 0, prepared.stderr
    assert f"reads_read_p{far:%Y%m%d}" in prepared.stdout
    assert again.stdout.startswith("0 partitions created")
    assert far.isoformat() in shown.stdout
    assert "kept (held, alerted, no day)" in shown.stdout


def test_prepare_refuses_a_negative_count_in_one_line():
    refused = run("storage", "prepare", "--days", "-1")

    assert refused.exit_code == 2
    assert "--days" in refused.output

"""`platekeeper compliance` and `compliance officials` as an administrator uses them."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.compliance.actions import Officials
from platekeeper.server.compliance.checks import CHECKS
from tests.server.compliance.conftest import make_compliant, use_policy_file
from tests.support.live import isolated_environment, run_cli
from tests.support.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db

OFFICIALS_OPTIONS = (
    "--administrator-name", "Jane Roe",
    "--designee-name", "John Doe",
    "--designee-title", "Sergeant, ALPR program",
)  # fmt: skip


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(autouse=True)
def _policy_file(settings, tmp_path):
    use_policy_file(settings, tmp_path)


def test_an_untrained_user_fails_the_report_by_name():
    make_user("alice", Role.ADMINISTRATOR)
    make_user("bob", Role.OPERATOR, training="lapsed")
    lapsed_on = timezone.localdate() - dt.timedelta(days=10)

    result = run("compliance")

    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "trained within the year" in line)
    assert line.startswith("FAIL")
    assert f"1 active user lacks current training: bob (lapsed {lapsed_on:%Y-%m-%d})" in line
    assert "training_current" in result.output.splitlines()[-1]


def test_every_obligation_met_exits_zero_with_a_pass_line_each(settings, tmp_path):
    make_compliant(settings, tmp_path)

    result = run("compliance")

    assert result.exit_code == 0, result.output
    header, *lines, blank, summary = result.output.splitlines()
    assert header.split() == ["RESULT", "OBLIGATION", "REFERENCE", "EVIDENCE"]
    assert (len(lines), blank) == (len(CHECKS), "")
    assert all(line.startswith("PASS") for line in lines)
    assert "438.2.1(e)" in result.output
    assert summary == f"{len(CHECKS)} of {len(CHECKS)} obligations met."


def test_json_lists_every_obligation_with_its_evidence():
    result = run("compliance", "--json")

    report = json.loads(result.output)
    assert result.exit_code == 1
    assert report["passed"] is False
    officials = next(check for check in report["checks"] if check["key"] == "officials_named")
    assert set(officials) == {"key", "obligation", "reference", "passed", "evidence"}
    assert officials["passed"] is False


def test_each_run_is_audited_as_the_console_user():
    run("compliance")

    event = AuditEvent.objects.get(action="compliance.report")
    assert event.username.startswith("console:")
    assert "officials_named" in event.query["failed"]


def test_officials_are_named_audited_and_kept_when_only_the_interval_changes():
    named = run("compliance", "officials", *OFFICIALS_OPTIONS)
    interval = run("compliance", "officials", "--audit-every-days", "30")

    assert named.exit_code == 0, named.output
    assert "Administrator: Jane Roe (Administration Operations Commander)" in named.output
    assert interval.exit_code == 0, interval.output
    assert Officials.current() == Officials(
        "Jane Roe", "Administration Operations Commander", "John Doe", "Sergeant, ALPR program", 30
    )
    events = AuditEvent.objects.filter(action="compliance.officials")
    assert events.count() == 2
    assert all(event.username.startswith("console:") for event in events)


def test_officials_refuses_an_empty_name_in_one_line_and_needs_an_option():
    empty = run("compliance", "officials", "--administrator-name", " ", "--designee-name", "X")
    nothing = run("compliance", "officials")

    assert empty.exit_code == 1
    assert empty.output.strip() == "Error: administrator name: must not be empty"
    assert nothing.exit_code == 2
    assert "give at least one option" in nothing.output


@pytest.mark.both_databases
def test_from_a_new_installation_to_every_obligation_met_with_the_cli_alone(tmp_path):
    policy = tmp_path / "policy.txt"
    policy.write_text("438.1 PURPOSE AND SCOPE\n")
    today = f"{timezone.localdate():%Y-%m-%d}"
    with isolated_environment(tmp_path / "data") as env:
        # The audit key apart from the database, as in production (on SQLite both would
        # otherwise sit in the data dir).
        env["PLATEKEEPER_AUDIT_KEY_FILE"] = str(tmp_path / "keys" / "audit.key")
        run_cli(env, "user", "add", "bob", "--role", "operator", "--password-stdin", stdin=PASSWORD)
        untrained = run_cli(env, "compliance")
        for step in (
            ("training", "record", "bob", "--completed", today),
            ("policy", "publish", str(policy)),
            ("compliance", "officials", *OFFICIALS_OPTIONS),
            ("purge",),
            ("audit", "report", "--kind", "by_purpose"),
            ("settings", "case-number-format", r"\d{2}-\d{6}", "--example", "26-004417"),
        ):
            done = run_cli(env, *step)
            assert done.returncode == 0, (step, done.stderr)
        compliant = run_cli(env, "compliance")

    assert untrained.returncode == 1
    assert "bob (none on record)" in untrained.stdout
    assert compliant.returncode == 0, compliant.stdout
    assert f"{len(CHECKS)} of {len(CHECKS)} obligations met." in compliant.stdout

"""`platekeeper purge`, `evidence ...` and `retention ...` as a custodian uses them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.models import Read
from tests.server.retention.conftest import days_ago, store_reads
from tests.support.factories import CameraFactory
from tests.support.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_retention_below_a_year_needs_an_override_which_show_then_displays():
    refused = run("retention", "set", "reads", "180")
    allowed = run(
        "retention", "set", "reads", "180", "--override-reason", "Council resolution 2026-41"
    )
    shown = run("retention", "show")

    assert refused.exit_code == 1
    assert "--override-reason" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "reads              180      365" in shown.output
    assert "below minimum" in shown.output
    assert "Council resolution 2026-41" in shown.output
    assert "audit log is never purged" in shown.output


def test_purge_dry_run_then_purge_report_per_day():
    camera = CameraFactory()
    store_reads(camera, captured_at=days_ago(400), count=2)
    store_reads(camera, captured_at=days_ago(1))

    dry = run("purge", "--dry-run")
    done = run("purge")

    assert dry.exit_code == 0, dry.output
    assert "Would purge 2 reads" in dry.output
    assert done.exit_code == 0, done.output
    assert "Purged 2 reads" in done.output
    assert f"{days_ago(400):%Y-%m-%d}  2" in done.output
    assert Read.objects.count() == 1
    assert AuditEvent.objects.get(action="retention.purge").username.startswith("console:")


def test_hold_list_export_verify_and_release(tmp_path):
    camera = CameraFactory()
    store_reads(camera, captured_at=days_ago(400), count=2, plate="8HLD001")
    make_user("carla", Role.CUSTODIAN)
    login = ("--user", "carla", "--password-stdin")
    window = ("--from", f"{days_ago(401):%Y-%m-%d}", "--to", f"{days_ago(399):%Y-%m-%d}")
    out = tmp_path / "evidence"

    held = run(
        "evidence", "hold", "24-00123", "--plate", "8HLD001", *window,
        "--reason", "criminal-action", "--requested-by", "DDA J. Doe", *login,
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    listed = run("evidence", "list")
    purged = run("purge")
    exported = run("evidence", "export", "24-00123", "--out", str(out), *login, stdin=PASSWORD)
    verified = run("evidence", "verify", str(out))
    (out / "reads.csv").write_text("edited\n")
    tampered = run("evidence", "verify", str(out))
    released = run(
        "evidence", "release", "24-00123", "--reason", "case closed", *login, stdin=PASSWORD
    )

    assert held.exit_code == 0, held.output
    assert "2 reads kept" in held.output
    assert "24-00123" in listed.output
    assert "DDA J. Doe" in listed.output
    assert "8HLD001" not in listed.output
    assert "Purged 0 reads" in purged.output
    assert "2 expired reads kept on hold" in purged.output
    assert exported.exit_code == 0, exported.output
    assert "manifest SHA-256:" in exported.output
    assert verified.exit_code == 0, verified.output
    assert tampered.exit_code == 1
    assert "changed: reads.csv" in tampered.output
    assert released.exit_code == 0, released.output
    assert "Purged 2 reads" in run("purge").output


def test_hold_wants_a_plate_or_read_ids_not_both():
    result = run(
        "evidence", "hold", "1", "--plate", "8HLD001",
        "--read-id", "0b7c5c0e-4d0c-4c1e-9b8a-3f8f2b1e7d21",
        "--reason", "civil-action", "--requested-by", "x", "--user", "carla",
    )  # fmt: skip

    assert result.exit_code == 2
    assert "either --plate" in result.output


def test_verify_of_a_missing_path_fails(tmp_path):
    result = run("evidence", "verify", str(tmp_path / "nothing"))

    assert result.exit_code == 1
    assert "no such file" in result.output

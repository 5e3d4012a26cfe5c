"""`platekeeper approvals ...` and a held search sent again with `--approval` (issue 15)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reads.actions import record_reads
from tests.support.factories import CameraFactory, read_item
from tests.support.people import PASSWORD, make_user

# In-process CLI runs share the test transaction, which only SQLite allows here (as the other
# CLI tests); the same flow runs on both databases in tests/server/approvals.
pytestmark = pytest.mark.django_db

NOW = dt.datetime.now(dt.UTC)
WHITE_CARS = [
    "search", "--purpose", "criminal_investigation", "--case-number", "24-0077",
    "--color", "white",
    "--start", f"{NOW - dt.timedelta(days=1):%Y-%m-%dT%H:%M}",
    "--end", f"{NOW + dt.timedelta(minutes=5):%Y-%m-%dT%H:%M}",
]  # fmt: skip


def run(*args: str, as_user: str = ""):
    login = ("--user", as_user, "--password-stdin") if as_user else ()
    return CliRunner().invoke(cli, [*args, *login], input=f"{PASSWORD}\n" if as_user else None)


@pytest.fixture
def people(db):
    record_reads(CameraFactory(), [read_item(plate="7ABC123", vehicle_color="white")])
    make_user("ines", Role.INVESTIGATOR)
    make_user("sue", Role.AUDITOR)


def test_a_search_without_a_plate_waits_for_a_supervisor_then_runs_once(people):
    held = run(*WHITE_CARS, as_user="ines")
    assert held.exit_code == 1
    assert "awaiting approval" in held.output
    number = re.search(r"approval=(\d+)", held.output).group(1)

    listed = run("approvals", "list", as_user="sue")
    assert listed.exit_code == 0, listed.output
    assert f"#{number}" in listed.output
    assert "Awaiting your decision: 1" in listed.output
    refused = run("approvals", "approve", number, as_user="ines")
    assert refused.exit_code == 1
    assert "your role may not approve" in refused.output
    no_note = run("approvals", "deny", number, as_user="sue")
    assert no_note.exit_code == 2
    assert "--note" in no_note.output

    approved = run("approvals", "approve", number, "--note", "burglary series", as_user="sue")
    assert approved.exit_code == 0, approved.output
    assert "approved by sue" in approved.output
    ran = run(*WHITE_CARS, "--approval", number, as_user="ines")
    assert ran.exit_code == 0, ran.output
    assert "7ABC123" in ran.output
    again = run(*WHITE_CARS, "--approval", number, as_user="ines")
    assert again.exit_code == 1
    assert "already run" in again.output
    event = AuditEvent.objects.filter(action="reads.search", outcome="allowed").get()
    assert (event.username, event.query["approved_by"]) == ("ines", "sue")


def test_the_thresholds_are_shown_and_set_at_the_console(db):
    shown = run("approvals", "thresholds")
    assert shown.exit_code == 0, shown.output
    assert re.search(r"canvass-radius-m\s+1,000", shown.output)

    changed = run("approvals", "thresholds", "--canvass-radius-m", "1500", "--export-rows", "800")
    assert changed.exit_code == 0, changed.output
    assert re.search(r"canvass-radius-m\s+1,500", changed.output)
    assert re.search(r"export-rows\s+800", changed.output)
    event = AuditEvent.objects.get(action="approvals.thresholds")
    assert event.query["export_rows"] == {"from": 500, "to": 800}
    assert event.username.startswith("console:")

    bad = run("approvals", "thresholds", "--partial-days", "0")
    assert bad.exit_code == 2
    assert "--partial-days" in bad.output

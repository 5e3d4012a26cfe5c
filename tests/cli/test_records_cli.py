"""`platekeeper records ...` as the records desk and the commander use it (Policy 438.9)."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import AgencyType
from platekeeper.server.retention.manifest import verify_export
from tests.server.retention.conftest import days_ago, store_reads
from tests.support.factories import AgencyFactory, CameraFactory
from tests.support.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def run(*args: str, as_user: str = ""):
    login = ("--user", as_user, "--password-stdin") if as_user else ()
    return CliRunner().invoke(cli, [*args, *login], input=f"{PASSWORD}\n" if as_user else None)


@pytest.fixture
def staff(db):
    make_user("carla", Role.CUSTODIAN)
    make_user("ada", Role.AUDITOR)


def _add(*extra: str, received: dt.date | None = None) -> str:
    received = received or timezone.localdate()
    result = run(
        "records", "add", "--name", "Det. R. Lee", "--contact", "rlee@oaklandpd.example",
        "--kind", "other-agency", "--agency", "Oakland Police Department",
        "--sought", "Reads of 8REL001", "--received", f"{received:%Y-%m-%d}", *extra,
        as_user="carla",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result.output.split()[1]


def test_add_extend_decide_release_and_show(staff, tmp_path):
    AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    store_reads(CameraFactory(), captured_at=days_ago(3), count=2, plate="8REL001")
    received = timezone.localdate() - dt.timedelta(days=2)
    number = _add(received=received)
    out = tmp_path / "release"

    listed = run("records", "list")
    extended = run("records", "extend", number, "--reason", "Archive search", as_user="carla")
    again = run("records", "extend", number, "--reason", "More", as_user="carla")
    refused = run(
        "records", "decide", number, "--decision", "release", "--basis", "official-purpose",
        as_user="carla",
    )  # fmt: skip
    decided = run(
        "records", "decide", number, "--decision", "release", "--basis", "official-purpose",
        as_user="ada",
    )  # fmt: skip
    released = run(
        "records", "release", number, "--plate", "8REL001", "--out", str(out), as_user="carla"
    )
    shown = run("records", "show", number)

    assert number.startswith(f"RR-{timezone.localdate().year}-")
    assert number in listed.output
    assert "Awaiting decision" in listed.output
    assert f"now due {received + dt.timedelta(days=24):%Y-%m-%d}" in extended.output
    assert again.exit_code == 1
    assert "extension:" in again.output
    assert refused.exit_code == 1
    assert "may not decide records requests" in refused.output
    assert decided.exit_code == 0, decided.output
    assert f"Request {number} decided: Release." in decided.output
    assert "Legal basis: A law-enforcement or prosecutorial agency" in decided.output
    assert released.exit_code == 0, released.output
    assert f"Released 2 reads for {number}" in released.output
    manifest = released.output.split("manifest SHA-256: ")[1].split()[0]
    assert verify_export(out, expected_manifest_sha256=manifest).ok
    assert "Routed to:       Auditor (Support Services Division Commander)" in shown.output
    assert "State:           Released" in shown.output
    assert manifest in shown.output
    event = AuditEvent.objects.get(action="retention.evidence_export")
    assert f"audit event #{event.pk}" in shown.output


def test_list_marks_overdue_requests(staff):
    AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    late = _add(received=timezone.localdate() - dt.timedelta(days=12))

    overdue = run("records", "list", "--status", "overdue")
    closed = run("records", "list", "--status", "closed")

    assert late in overdue.output
    assert "OVERDUE" in overdue.output
    assert "No closed records requests." in closed.output


def test_a_decision_without_a_basis_is_one_readable_line(staff):
    AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    number = _add()

    result = run("records", "decide", number, "--decision", "partial", as_user="ada")

    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: legal_basis: a decision to release in part needs its legal basis"
    )


def test_an_unknown_agency_is_named(staff):
    result = run(
        "records", "add", "--name", "X", "--contact", "x", "--kind", "other-agency",
        "--agency", "Nowhere PD", "--sought", "reads", as_user="carla",
    )  # fmt: skip

    assert result.exit_code == 1
    assert "agency: no agency named 'Nowhere PD'" in result.output


def test_the_commander_amends_a_decision_and_show_prints_its_history_and_who_acts_next(staff):
    AgencyFactory(name="Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT)
    number = _add()
    decided = run(
        "records", "decide", number, "--decision", "partial", "--basis", "official-purpose",
        "--withholding-basis", "investigatory", as_user="ada",
    )  # fmt: skip
    assert decided.exit_code == 0, decided.output
    assert "Withheld under: Gov. Code §7923.600" in decided.output

    amended = run(
        "records", "amend", number, "--decision", "release", "--basis", "official-purpose",
        "--reason", "The investigation closed", as_user="ada",
    )  # fmt: skip
    unfit = run(
        "records", "amend", number, "--decision", "deny", "--basis", "compelled",
        "--reason", "x", as_user="ada",
    )  # fmt: skip
    shown = run("records", "show", number)

    assert amended.exit_code == 0, amended.output
    assert f"Request {number} amended: now Release." in amended.output
    assert unfit.exit_code == 1
    assert "legal_basis: A subpoena or court order compels release is no ground" in unfit.output
    assert "reason: The investigation closed" in shown.output
    assert "was Release in part" in shown.output
    assert "Next:            Records Custodian (carla): release the reads" in shown.output

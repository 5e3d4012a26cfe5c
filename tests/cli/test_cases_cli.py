"""`settings case-number-format`, `cases import`, `audit report --kind unknown_case_numbers`
and `search --on-behalf-of`, as an administrator and an officer use them."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.cases.models import Case, CaseNumberFormat
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.sharing.models import Disclosure
from tests.support.factories import CameraFactory, read_item
from tests.support.live import isolated_environment, run_cli
from tests.support.people import PASSWORD, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = pytest.mark.django_db  # in-process CliRunner: SQLite, as tests/cli/test_access_cli.py


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def _search(*args: str):
    return run(
        "search", "7ABC123", "--user", "ines", "--purpose", "stolen_vehicle", *args,
        "--password-stdin", stdin=f"{PASSWORD}\n",
    )  # fmt: skip


def test_the_format_is_set_and_audited_and_then_checked():
    make_user("ines")
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])

    done = run("settings", "case-number-format", r"\d{2}-\d{6}", "--example", "26-004417")
    bad = _search("--case-number", "x")
    good = _search("--case-number", "26-004417")

    assert done.exit_code == 0, done.output
    assert "Case numbers must now match" in done.output
    assert CaseNumberFormat.current().pattern == r"\d{2}-\d{6}"
    assert AuditEvent.objects.get(action="settings.case_number_format").username.startswith(
        "console:"
    )
    assert bad.exit_code == 1
    assert bad.output.strip() == (
        "Error: case_number: 'x' is not a case number of this department (written like 26-004417)"
    )
    assert good.exit_code == 0, good.output


def test_an_example_that_does_not_match_is_one_line_and_a_failure():
    result = run("settings", "case-number-format", r"\d{2}-\d{6}", "--example", "2026-4417")

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: example: '2026-4417' does not match the regex '\\\\d{2}-\\\\d{6}'"
    ]
    assert CaseNumberFormat.current().pattern == ""


def test_cases_import_then_the_reconciliation_report(tmp_path):
    make_user("ines")
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])
    today = timezone.localdate()
    register = tmp_path / "rms.csv"
    register.write_text(
        f"case_number,opened_on,closed_on,offense\n26-000101,{today},,Vehicle theft\n"
    )

    first = run("cases", "import", str(register))
    again = run("cases", "import", str(register))
    _search("--case-number", "26-000101")
    _search("--case-number", "26-999999")
    report = run("audit", "report", "--kind", "unknown_case_numbers", "--format", "csv")

    assert first.output.strip() == "rms.csv: 1 cases added, 0 updated, 0 unchanged."
    assert again.output.strip() == "rms.csv: 0 cases added, 0 updated, 1 unchanged."
    assert Case.objects.count() == 1
    assert report.exit_code == 0, report.output
    lines = report.output.strip().splitlines()
    assert lines[0].endswith("on behalf of,finding")
    assert len(lines) == 2
    assert "26-999999" in lines[1]
    assert lines[1].endswith("not in the case register")


def test_a_bad_register_row_is_one_line_naming_the_line_and_field(tmp_path):
    register = tmp_path / "rms.csv"
    register.write_text("case_number,opened_on,closed_on,offense\n26-000101,yesterday,,Theft\n")

    result = run("cases", "import", str(register))

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: rms.csv: nothing imported: line 2: opened_on: 'yesterday' is not a date "
        "written YYYY-MM-DD"
    ]
    assert not Case.objects.exists()


def test_search_on_behalf_of_a_federal_agency_is_refused_and_a_partner_logged():
    make_user("ines")
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])
    agreement_with(partner_agency())
    sharing_on()
    partner_agency("Federal Bureau of Investigation", jurisdiction="US")

    federal = _search("--case-number", "24-1", "--on-behalf-of", "Federal Bureau of Investigation")
    partner = _search(
        "--case-number", "24-1",
        "--on-behalf-of", "Oakland Police Department",
        "--on-behalf-of-person", "Det. Rivera",
    )  # fmt: skip

    assert federal.exit_code == 1
    assert federal.output.startswith(
        "Error: on_behalf_of: not eligible for an agreement: Federal Bureau"
    )
    assert partner.exit_code == 0, partner.output
    allowed = AuditEvent.objects.get(action="reads.search", outcome=Outcome.ALLOWED)
    assert allowed.query["on_behalf_of"]["agency"] == "Oakland Police Department"
    assert Disclosure.objects.get().username == "Det. Rivera"


@pytest.mark.both_databases
def test_format_register_and_report_as_separate_processes(tmp_path):
    """The same commands as a person runs them, each its own process (PostgreSQL too)."""
    register = tmp_path / "rms.csv"
    register.write_text("case_number,opened_on,closed_on,offense\n26-000101,2026-01-05,,Theft\n")
    with isolated_environment(tmp_path / "data") as env:
        steps = [
            run_cli(env, "settings", "case-number-format", r"\d{2}-\d{6}", "--example", "26-1"),
            run_cli(
                env, "settings", "case-number-format", r"\d{2}-\d{6}", "--example", "26-004417"
            ),
            run_cli(env, "cases", "import", str(register)),
            run_cli(env, "audit", "report", "--kind", "unknown_case_numbers"),
        ]

    mismatch, *done = steps
    assert mismatch.returncode == 1
    assert mismatch.stderr.strip().startswith("Error: example: '26-1' does not match")
    assert [step.returncode for step in done] == [0, 0, 0], [step.stderr for step in done]
    assert "1 cases added" in done[1].stdout
    assert "(no matching events)" in done[2].stdout

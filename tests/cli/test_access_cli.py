"""User, training, token, search and audit commands as an administrator and an officer use them."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from django.db import connection
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.actions import user_for_token
from platekeeper.server.access.models import AuditEvent, PersonalToken, User
from platekeeper.server.reads.actions import record_reads
from tests.support.approvals import hold_nothing
from tests.support.factories import CameraFactory, read_item
from tests.support.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def test_user_add_with_password_from_stdin_then_training_then_token():
    added = run(
        "user", "add", "oscar", "--role", "operator", "--password-stdin", stdin=f"{PASSWORD}\n"
    )
    trained = run("training", "record", "oscar", "--completed", str(timezone.localdate()))
    token = run("token", "create", "oscar")

    assert added.exit_code == 0, added.output
    assert User.objects.get(username="oscar").role == "operator"
    assert trained.exit_code == 0, trained.output
    assert "valid until" in trained.output
    secret = token.output.strip().splitlines()[-1]
    assert user_for_token(secret).username == "oscar"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user.create", "training.record", "token.create"} <= actions
    assert AuditEvent.objects.filter(action="user.create").get().username.startswith("console:")


def test_a_weak_password_is_one_readable_line_and_a_failure():
    result = run("user", "add", "oscar", "--role", "operator", "--password-stdin", stdin="short\n")

    assert result.exit_code == 1
    assert result.output.startswith("Error: password:")
    assert len(result.output.strip().splitlines()) == 1


def test_an_unknown_role_is_refused_at_parse_time():
    result = run("user", "add", "oscar", "--role", "sheriff", "--password-stdin", stdin="x\n")

    assert result.exit_code == 2
    assert "sheriff" in result.output


def test_training_with_a_bad_date_is_refused():
    make_user("oscar")

    result = run("training", "record", "oscar", "--completed", "28/11/2026")

    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_training_due_lists_lapsed_and_missing():
    make_user("lapsed", training="lapsed")
    make_user("never", training="none")
    make_user("fine")

    output = run("training", "due").output

    assert "lapsed" in output
    assert "never" in output
    assert "no training on record" in output
    assert "fine" not in output


def test_disable_then_search_is_refused():
    make_user("ines")
    run("user", "disable", "ines")

    result = run(
        "search",
        "7ABC123",
        "--user",
        "ines",
        "--purpose",
        "stolen_vehicle",
        "--case-number",
        "1",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )

    assert result.exit_code == 1
    assert "disabled" in result.output


@pytest.mark.parametrize(
    ("training", "args", "message"),
    [
        ("lapsed", ["--purpose", "stolen_vehicle", "--case-number", "1"], "training lapsed"),
        ("current", ["--purpose", "nosy"], "not a known purpose"),
        ("current", ["--purpose", "warrant"], "case_number: is required"),
    ],
)
def test_search_refusals_are_one_line_and_audited(training, args, message):
    make_user("ines", training=training)

    result = run(
        "search", "7ABC123", "--user", "ines", *args, "--password-stdin", stdin=f"{PASSWORD}\n"
    )

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    event = AuditEvent.objects.filter(action="reads.search").get()
    assert (event.outcome, event.channel) == ("denied", "cli")


def test_a_trained_user_searches_from_the_console():
    make_user("ines")
    record_reads(CameraFactory(name="Grand Ave"), [read_item(plate="7ABC123")])

    result = run(
        "search",
        "7abc123",
        "--user",
        "ines",
        "--purpose",
        "stolen_vehicle",
        "--case-number",
        "24-7",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "7ABC123" in result.output
    assert "Grand Ave" in result.output
    event = AuditEvent.objects.filter(action="reads.search").get()
    assert (event.outcome, event.case_number, event.record_count) == ("allowed", "24-7", 1)


def test_audit_verify_passes_then_names_the_tampered_event():
    make_user("ines")
    assert run("audit", "verify").exit_code == 0

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER access_auditevent_no_update")
        else:
            cursor.execute("DROP TRIGGER access_auditevent_no_change ON access_auditevent")
        cursor.execute("UPDATE access_auditevent SET case_number = 'x' WHERE id = 1")
    result = run("audit", "verify")

    assert result.exit_code == 1
    assert "event #1" in result.output


def test_audit_report_as_csv():
    make_user("ines")

    result = run("audit", "report", "--kind", "denied", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].count(",") >= 2


def test_token_revoke_by_name_or_id_refuses_the_token_at_once_and_is_audited():
    make_user("oscar")
    first = run("token", "create", "oscar").output.strip().splitlines()[-1]
    second = run("token", "create", "oscar").output.strip().splitlines()[-1]
    first_id = PersonalToken.objects.order_by("id").first().pk
    one = run("token", "revoke", str(first_id))
    rest = run("token", "revoke", "oscar")
    unknown = run("token", "revoke", "nobody")

    assert one.exit_code == 0, one.output
    assert "Revoked 1 token" in one.output
    assert user_for_token(first) is None
    assert "Revoked 1 token" in rest.output
    assert user_for_token(second) is None
    assert unknown.exit_code != 0
    assert "no user named 'nobody'" in unknown.output
    revokes = AuditEvent.objects.filter(action="token.revoke")
    assert revokes.count() == 2
    assert all(e.username.startswith("console:") for e in revokes)


def test_a_search_by_vehicle_from_the_console_needs_a_case_and_shows_the_vehicle():
    make_user("ines")
    hold_nothing()  # without it the search waits for approval (tests/cli/test_approvals_cli)
    pickup = {"vehicle_make": "Ford", "vehicle_color": "white", "vehicle_type": "pickup"}
    record_reads(
        CameraFactory(), [read_item(plate="7ABC123", **pickup), read_item(plate="8XYZ999")]
    )
    today = timezone.now().date()
    window = (
        "--start",
        str(today - dt.timedelta(days=1)),
        "--end",
        str(today + dt.timedelta(days=1)),
    )
    search = ("search", "--user", "ines", "--purpose", "stolen_vehicle", "--make", "FORD", *window)

    without_case = run(*search, "--password-stdin", stdin=f"{PASSWORD}\n")
    found = run(*search, "--case-number", "24-7", "--password-stdin", stdin=f"{PASSWORD}\n")

    assert without_case.exit_code != 0
    assert "case_number: a search without a plate needs a case number" in without_case.output
    assert found.exit_code == 0, found.output
    assert "white Ford pickup" in found.output
    assert "8XYZ999" not in found.output


def test_purpose_add_refuses_a_prohibited_purpose_in_one_line_citing_the_law():
    refused = run("purpose", "add", "ice_assist", "ICE assist")
    added = run("purpose", "add", "burglary", "Burglary investigation")
    listed = run("purpose", "list")

    assert refused.exit_code == 1
    assert refused.output.startswith("Error: prohibited purpose:")
    assert "Government Code §7284.6" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert added.exit_code == 0, added.output
    assert "burglary\tBurglary investigation\tcase number\tactive" in listed.output
    assert "ice_assist" not in listed.output


def test_an_audit_report_table_reads_in_words():
    """GIVEN a plate search WHEN the sample report prints as a table THEN action, purpose,
    query and channel read as words, not as the codes the log keeps."""
    from platekeeper.server.access.gate import Justification, Requester
    from platekeeper.server.reads.queries import search_plate

    search_plate(
        Requester(make_user("ines"), channel="api"),
        Justification("stolen_vehicle", "24-1"),
        plate="7ABC123",
    )

    result = run("audit", "report", "--kind", "sample")

    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "7ABC123" in line)
    for words in ("Plate search", "Stolen or wanted vehicle", "Plate: 7ABC123", "API"):
        assert words in row
    assert "stolen_vehicle" not in row
    assert "reads.search" not in row

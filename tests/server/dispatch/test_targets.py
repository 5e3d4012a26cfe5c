"""An administrator points a hotlist at dispatch from the command line; bad input is one line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from platekeeper.cli.main import cli
from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.dispatch.actions import set_dispatch_target
from platekeeper.server.dispatch.models import DispatchTarget
from tests.support.people import as_person, make_user

pytestmark = pytest.mark.django_db


def _dispatch(*args: str):
    return CliRunner().invoke(cli, ["hotlist", "dispatch", *args])


def test_the_cli_sets_and_removes_a_target_audited(hotlist, secret_file):
    result = _dispatch(
        hotlist.name, "--url", "https://cad.example/alpr", "--secret-file", str(secret_file)
    )

    assert result.exit_code == 0, result.output
    target = DispatchTarget.objects.get()
    assert (target.url, target.secret_file) == ("https://cad.example/alpr", str(secret_file))
    assert "SECRET" not in str(AuditEvent.objects.filter(action="hotlist.dispatch").get().query)

    result = _dispatch(hotlist.name, "--off")

    assert result.exit_code == 0, result.output
    assert not DispatchTarget.objects.exists()
    assert AuditEvent.objects.filter(action="hotlist.dispatch").count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://cad/x", "--secret-file", "{secret}"], "url: 'ftp://cad/x' is not"),
        (["--url", "https://cad/x", "--secret-file", "/nonexistent"], "secret_file: cannot read"),
        (["--url", "https://cad/x", "--secret-file", "{short}"], "at least 16 are needed"),
        (["--url", "https://cad/x"], "give both --url and --secret-file"),
        ([], "give --url and --secret-file, or --off"),
    ],
)
def test_bad_input_is_one_readable_line(hotlist, secret_file, tmp_path, args, message):
    short = tmp_path / "short"
    short.write_text("abc")
    args = [arg.format(secret=secret_file, short=short) for arg in args]

    result = _dispatch(hotlist.name, *args)

    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not DispatchTarget.objects.exists()


def test_an_unknown_list_is_named(db, secret_file):
    result = _dispatch("Nope", "--url", "https://cad/x", "--secret-file", str(secret_file))

    assert result.exit_code == 1
    assert "name: no hotlist named 'Nope'" in result.output


def test_only_an_administrator_may_set_a_target(hotlist, secret_file):
    officer = as_person(make_user("olivia", Role.OPERATOR))

    with pytest.raises(AccessDenied):
        set_dispatch_target(
            hotlist.name, requester=officer, url="https://cad/x", secret_file=str(secret_file)
        )

    assert not DispatchTarget.objects.exists()
    assert AuditEvent.objects.get(action="hotlist.dispatch").outcome == "denied"

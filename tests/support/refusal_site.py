"""A site for the generated refusal test (tests/server/test_refusals_generated.py).

`python -m tests.support.refusal_site` runs in the environment of a live server before it
starts and makes, through the `platekeeper` commands (in this one process, for speed), the
principals the test needs: for each of this department's roles a trained user, one whose
training lapsed and one to be disabled (`... refusal_site disable`, once signed in), each
with a password and a personal token; partner
agencies, each with an agreement of one scope and an agency token; a camera; a hotlist with an
entry; a records request. It prints one JSON object naming them and their secrets.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys

from click.testing import CliRunner

PASSWORD = "Correct-Horse-Battery-42"
HOME_ROLES = ("administrator", "operator", "investigator", "auditor", "custodian")
#: Training states of each role's users (`disabled` users are trained, then disabled).
STATES = ("current", "lapsed", "disabled")
#: One partner agency per scope its agreement grants.
PARTNER_SCOPES = ("alerts", "hotlist_entries", "search")
#: A user the pages that change accounts name, and a partner whose agreement they may revoke.
BYSTANDER = "bystander"
SPARE_SCOPE = "reads_on_request"
RETIRED_CAMERA = "Retired camera"
HOTLIST = "Stolen vehicles (refusals)"
PLATE = "6TRL204"
PURPOSE = "stolen_vehicle"
TOKEN = r"\bpk[a-z]_[A-Za-z0-9_-]{20,}"


def username(role: str, state: str) -> str:
    return role if state == "current" else f"{state}-{role}"


def _run(*args: str, stdin: str | None = None, find: str = "") -> str:
    """Run one command; return the first match of the pattern `find` in its output."""
    from platekeeper.cli.main import cli

    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(f"platekeeper {' '.join(args)} failed: {result.output}")
    if not find:
        return ""
    found = re.search(find, result.output)
    if found is None:
        raise SystemExit(f"platekeeper {' '.join(args)} printed no {find!r}: {result.output}")
    return found.group(0)


def _day(days_ago: int) -> str:
    return (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days_ago)).isoformat()


def _person(role: str, state: str) -> str:
    name = username(role, state)
    _run("user", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD)
    _run("training", "record", name, "--completed", _day(400 if state == "lapsed" else 30))
    return _run("token", "create", name, find=TOKEN)


def _partner(scope: str) -> str:
    agency = f"Partner PD ({scope})"
    _run("agency", "add", agency, "--type", "law_enforcement", "--jurisdiction", "CA")
    _run(
        *("sharing", "agreement", "add", "--agency", agency, "--scope", scope),
        *("--purpose", PURPOSE, "--reference", f"MOU-{scope}", "--partner-retention-days", "365"),
        *("--starts", _day(1), "--ends", _day(-365)),
        *("--approved-by", "Chief Jeremy Bowers", "--approved-on", _day(1)),
    )
    return _run(
        *("sharing", "token", agency, "--contact", "Sgt. Rivera", "--attested-on", _day(30)),
        find=TOKEN,
    )


def build() -> dict[str, object]:
    from platekeeper.cli.django_setup import migrate_database

    migrate_database()
    tokens = {username(r, s): _person(r, s) for r in HOME_ROLES for s in STATES}
    _run("user", "add", BYSTANDER, "--role", "operator", "--password-stdin", stdin=PASSWORD)
    partners = {scope: _partner(scope) for scope in (*PARTNER_SCOPES, SPARE_SCOPE)}
    _run("sharing", "on", "--reason", "MOUs signed")
    _run("hotlist", "create", HOTLIST, "--category", "stolen_vehicle", "--priority", "1")
    _run("hotlist", "add", PLATE, "--list", HOTLIST, "--state", "CA", "--reason", "stolen")
    camera = _run(
        "camera", "add", "Moraga Ave", "--lat", "37.8331", "--lon", "-122.2168", find=TOKEN
    )
    retired = _run(
        "camera", "add", "Retired camera", "--lat", "37.8", "--lon", "-122.2", find=TOKEN
    )
    request = _run(
        *("records", "add", "--name", "Jane Roe", "--contact", "jane@example.org"),
        *("--kind", "public-records", "--sought", "reads of 6TRL204"),
        *("--user", "custodian", "--password-stdin"),
        stdin=PASSWORD,
        find=r"RR-\d{4}-\d+",
    )
    return {
        "tokens": tokens,
        "partners": partners,
        "device": camera,
        "retired_device": retired,
        "records_request": request,
    }


def disable() -> None:
    """Disable each role's `disabled-` user, as an administrator would."""
    for role in HOME_ROLES:
        _run("user", "disable", username(role, "disabled"))


if __name__ == "__main__":
    if sys.argv[1:] == ["disable"]:
        disable()
    else:
        json.dump(build(), sys.stdout)

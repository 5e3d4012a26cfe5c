"""Over real HTTP against `platekeeper serve`: who may act on alerts, what a step records, and
how the live alert stream ends when the account is disabled."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import httpx
import pytest

from tests.support.factories import read_item
from tests.support.live import isolated_environment, run_cli, running_server
from tests.support.people import PASSWORD

pytestmark = pytest.mark.both_databases
PLATE = "7ABC123"


def _prepare(env: dict[str, str]) -> dict[str, str]:
    """An operator and an auditor with training and tokens, a hotlist entry, a camera."""
    trained = (dt.datetime.now(dt.UTC) - dt.timedelta(days=10)).date().isoformat()
    tokens: dict[str, str] = {}
    for name, role in [("olivia", "operator"), ("audrey", "auditor")]:
        for args, stdin in [
            (("user", "add", name, "--role", role, "--password-stdin"), PASSWORD),
            (("training", "record", name, "--completed", trained), None),
            (("token", "create", name), None),
        ]:
            done = run_cli(env, *args, stdin=stdin)
            assert done.returncode == 0, done.stderr
        tokens[name] = done.stdout.strip().splitlines()[-1]
    for args in [
        ("hotlist", "create", "Stolen", "--category", "stolen_vehicle"),
        ("hotlist", "add", PLATE, "--list", "Stolen", "--state", "CA"),
        ("camera", "add", "Moraga Ave", "--lat", "37.83", "--lon", "-122.22"),
    ]:
        done = run_cli(env, *args)
        assert done.returncode == 0, done.stderr
    tokens["camera"] = done.stdout.strip().splitlines()[-1]
    return tokens


def _raise_alert(base: str, camera: str) -> int:
    posted = httpx.post(
        f"{base}/api/v1/reads",
        json={"reads": [read_item(plate=PLATE)]},
        headers={"Authorization": f"Bearer {camera}"},
    )
    return posted.json()["alerts"][0]["id"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_alert_steps_over_http_operator_yes_auditor_no_missing_id_404(tmp_path):
    with isolated_environment(tmp_path) as env:
        tokens = _prepare(env)
        with running_server(env) as base:
            alert = _raise_alert(base, tokens["camera"])
            auditor = httpx.post(
                f"{base}/api/v1/alerts/{alert}/close",
                json={"result": "misread", "note": "looks wrong"},
                headers=_bearer(tokens["audrey"]),
            )
            operator = httpx.post(
                f"{base}/api/v1/alerts/{alert}/acknowledge",
                json={},
                headers=_bearer(tokens["olivia"]),
            )
            missing = httpx.get(f"{base}/api/v1/alerts/999999", headers=_bearer(tokens["olivia"]))
        report = run_cli(env, "audit", "report", "--kind", "by_purpose", "--format", "csv")

    assert auditor.status_code == 403, auditor.text
    assert operator.status_code == 200, operator.text
    assert operator.json()["status"] == "acknowledged"
    assert missing.status_code == 404
    assert report.returncode == 0, report.stderr
    assert "Hotlist alert response on patrol" in report.stdout  # the purpose, in words


def _signed_in_session(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base)
    form = client.get("/login")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    done = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    )
    assert done.status_code == 302, done.text
    return client


def test_a_disabled_user_gets_no_more_live_alerts_and_the_stream_says_why(tmp_path):
    """GIVEN an operator's open alert stream WHEN `platekeeper user disable` runs and a hit is
    then raised THEN the stream ends with a `refused` event saying the account is disabled,
    and carries no alert after it."""
    with isolated_environment(tmp_path) as env:
        tokens = _prepare(env)
        with running_server(env) as base:
            session = _signed_in_session(base, "olivia")
            received: list[str] = []

            def listen() -> None:
                with session.stream("GET", "/alerts/stream", timeout=30) as stream:
                    received.extend(stream.iter_lines())  # the server ends it after `refused`

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            time.sleep(1.5)
            disabled = run_cli(env, "user", "disable", "olivia")
            _raise_alert(base, tokens["camera"])
            listener.join(timeout=20)

    assert disabled.returncode == 0, disabled.stderr
    assert "event: refused" in received, received
    assert any("disabled" in line for line in received), received
    assert "event: alert" not in received

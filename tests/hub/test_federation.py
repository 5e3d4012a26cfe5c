"""A regional hub fans a partner's search out to three member nodes, each its own server and
database: the answer is the union of what each member's agreement allows, each member audits
the access (and logs the disclosure), and a member that is down is reported, not fatal."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import subprocess
import sys
import time
import uuid
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.live import free_port, isolated_environment, run_cli, running_server

pytestmark = pytest.mark.both_databases
PLATE = "7HUB001"
PARTNER = "Regional Auto Theft Task Force"
CALLER_TOKEN = "hub-caller-secret"
AUDIT = """
import json
from platekeeper.cli.django_setup import setup_django
setup_django()
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.sharing.models import Disclosure
print(json.dumps({
    "searches": sorted(AuditEvent.objects.filter(action="reads.search")
                       .values_list("outcome", flat=True)),
    "disclosures": Disclosure.objects.count(),
}))
"""


def _member(env: dict[str, str], name: str, *, scope: str) -> tuple[str, str]:
    """Set up a member node: a camera, a partner agreement of `scope`, sharing on and the
    partner's token. Returns (device token, partner token)."""
    today = dt.datetime.now(ZoneInfo("America/Los_Angeles")).date()  # the nodes' local day
    steps = [
        ("camera", "add", f"{name} Main St", "--lat", "37.8", "--lon", "-122.2"),
        ("agency", "add", PARTNER, "--type", "law_enforcement"),
        ("sharing", "agreement", "add", "--agency", PARTNER, "--reference", f"MOU {name}",
         "--scope", scope, "--purpose", "stolen_vehicle", "--partner-retention-days", "365",
         "--starts", f"{today}", "--ends", f"{today + dt.timedelta(days=365)}",
         "--approved-by", f"Chief of {name}", "--approved-on", f"{today}"),
        ("sharing", "on", "--reason", f"MOU {name} signed"),
        ("sharing", "token", PARTNER, "--contact", "Lt. Reyes", "--attested-on", f"{today}"),
    ]  # fmt: skip
    outputs = []
    for args in steps:
        done = run_cli(env, *args)
        assert done.returncode == 0, (args, done.stderr)
        outputs.append(done.stdout.strip().splitlines()[-1])
    return outputs[0], outputs[-1]


def _post_reads(base: str, device: str, count: int) -> set[str]:
    ids = {str(uuid.uuid4()) for _ in range(count)}
    now = dt.datetime.now(dt.UTC)
    items = [
        {"id": read_id, "plate": PLATE, "captured_at": (now - dt.timedelta(minutes=i)).isoformat()}
        for i, read_id in enumerate(ids)
    ]
    answer = httpx.post(
        f"{base}/api/v1/reads",
        json={"reads": items},
        headers={"Authorization": f"Bearer {device}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return ids


@contextlib.contextmanager
def _running_hub(config: dict, env: dict[str, str], folder) -> str:
    path = folder / "hub.json"
    path.write_text(json.dumps(config))
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "platekeeper", "hub", "--config", str(path), "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            assert process.poll() is None, "the hub exited"
            assert time.monotonic() < deadline, "the hub never answered"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_partner_search_at_the_hub_is_the_union_of_what_each_member_allows(tmp_path):
    with contextlib.ExitStack() as stack:
        nodes = {}
        for name, reads, scope in (("Alameda", 2, "search"), ("Berkeley", 1, "search"),
                                   ("Castro Valley", 1, "alerts")):  # fmt: skip
            env = stack.enter_context(isolated_environment(tmp_path / name))
            device, partner = _member(env, name, scope=scope)
            base = stack.enter_context(running_server(env))
            nodes[name] = (env, base, partner, _post_reads(base, device, reads))
        members = [
            {"name": name, "url": base, "token": partner}
            for name, (_, base, partner, _) in nodes.items()
        ]
        members.append({"name": "Dublin", "url": f"http://127.0.0.1:{free_port()}", "token": "x"})
        config = {
            "callers": [hashlib.sha256(CALLER_TOKEN.encode()).hexdigest()],
            "members": members,
        }
        hub = stack.enter_context(_running_hub(config, nodes["Alameda"][0], tmp_path))

        unknown = httpx.get(f"{hub}/api/v1/hub/search?plate={PLATE}", timeout=30)
        answer = httpx.get(
            f"{hub}/api/v1/hub/search",
            params={"plate": PLATE, "purpose": "stolen_vehicle", "case_number": "RATTF-26-1"},
            headers={"Authorization": f"Bearer {CALLER_TOKEN}"},
            timeout=60,
        )
        audits = {name: json.loads(_python(env, AUDIT)) for name, (env, _, _, _) in nodes.items()}

    assert unknown.status_code == 401
    assert answer.status_code == 200, answer.text
    body = answer.json()
    found = {(row["member"], row["id"]) for row in body["results"]}
    assert found == {("Alameda", i) for i in nodes["Alameda"][3]} | {
        ("Berkeley", i) for i in nodes["Berkeley"][3]
    }
    statuses = {m["name"]: (m["status"], m["count"]) for m in body["members"]}
    assert statuses == {
        "Alameda": ("answered", 2),
        "Berkeley": ("answered", 1),
        "Castro Valley": ("refused", 0),
        "Dublin": ("down", 0),
    }
    assert audits == {
        "Alameda": {"searches": ["allowed"], "disclosures": 1},
        "Berkeley": {"searches": ["allowed"], "disclosures": 1},
        "Castro Valley": {"searches": ["denied"], "disclosures": 0},
    }


def _python(env: dict[str, str], script: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout

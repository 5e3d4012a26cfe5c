"""Every classified route refuses those it must, over real HTTP; generated from `server.routes`.

For each `gated(...)` API operation and web page: anonymous callers, a user whose role lacks the
permission, one whose training lapsed, a disabled one and a partner agency's token whose
agreement does not cover it are refused (401/403; a web page may send the anonymous to sign
in), and each refusal of a known person is audited. A route that changes this department's
records (`changes_records`) also refuses the auditor (read-only) and a partner whose agreement
does cover it. `device` routes refuse a person's token and a retired or unknown device token;
`authenticated-administrative` pages refuse the anonymous. A route added to the registry joins
these checks with no change here; a parameter this file has no example for fails loudly.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import itertools
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from platekeeper.server import routes
from platekeeper.server.access.roles import ROLE_PERMISSIONS, Permission, Role
from platekeeper.server.sharing.scope import SCOPE_OF_PERMISSION
from tests.support import refusal_site as seed
from tests.support.factories import image_bytes, read_item
from tests.support.live import isolated_environment, running_server

pytestmark = pytest.mark.both_databases

REPO = Path(__file__).resolve().parents[2]
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
CROP = image_bytes(color="navy")
READ = read_item(
    plate=seed.PLATE,
    plate_crop=base64.b64encode(CROP).decode(),
    latitude=37.8331,
    longitude=-122.2168,
)
_WINDOW = {
    "start": (NOW - dt.timedelta(hours=2)).isoformat(),
    "end": (NOW + dt.timedelta(hours=1)).isoformat(),
}
_AREA = {"lat": 37.8331, "lon": -122.2168, "radius_m": 200, **_WINDOW}
#: A value for each parameter or form field the routes take, by name. Site-specific ids
#: ({alert_id}, ...) are filled in once the site exists.
EXAMPLES: dict[str, Any] = {
    **_AREA,
    "purpose": seed.PURPOSE,
    "case_number": "24-001",
    "plate": seed.PLATE,
    "scene": [",".join(str(_AREA[k]) for k in ("lat", "lon", "radius_m", "start", "end"))] * 2,
    "read_id": READ["id"],
    "sha256": hashlib.sha256(CROP).hexdigest(),
    "name": seed.HOTLIST,
    "which": "crop",
    "kind": "by_purpose",
    "username": seed.BYSTANDER,
    "result": "verified",
    "note": "checked in the refusal test",
    "reason": "criminal_action",
    "state": "CA",
    "format": "csv",
    "enabled": "1",
    "days": "7",
    "agent_time": NOW.isoformat(),
    "search_back_days": 0,
    "event_id": 1,  # a sampled access to review (refused before it is looked up)
    # an approval of a broad query (none exists: the gate refuses before looking it up)
    "approval_id": 1,
    # form fields of the pages
    "within_s": 60,
    "min_cameras": 1,
    "requested_by": "Det. Alvarez",
    "decision": "deny",
    "legal_basis": "gc_7922_000",
    "type": "law_enforcement",
    "jurisdiction": "CA",
    "reference": "MOU-refusals",
    "partner_retention_days": 365,
    "approved_by": "Chief Jeremy Bowers",
    "completed_on": NOW.date().isoformat(),
    "starts_on": NOW.date().isoformat(),
    "ends_on": (NOW.date() + dt.timedelta(days=30)).isoformat(),
    "approved_on": NOW.date().isoformat(),
}
#: Values that differ by the path parameter a case was expanded for: each alert step takes its
#: own result (an example valid for no step would be refused by validation, not by the gate).
EXAMPLES_OF: dict[tuple[str, str], dict[str, Any]] = {
    ("step", "visual-check"): {"result": "match"},
    ("step", "clets-check"): {"result": "on_file"},
}
#: Pages take days where the API takes moments (a form's date field reads a day only).
WEB_EXAMPLES = {
    "start": NOW.date().isoformat(),
    "end": (NOW.date() + dt.timedelta(days=1)).isoformat(),
}
#: Path parameters whose every value is a route of its own.
EVERY: dict[str, list[str]] = {
    "step": ["acknowledge", "visual-check", "clets-check", "close", "enforcement"],
    "kind": ["canvass"],  # of an investigation export; the form field `kind` is a report's
}
HOTLIST_FILE = ("refusals.csv", b"plate,state\n5KPW318,CA\n", "text/csv")


# --- the principals who must be refused ------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who calls: `kind` is anonymous, person (a personal token via the API, a signed-in
    session on pages), session (a person's signed-in session, via the API too), partner (an
    agency token) or device."""

    label: str
    kind: str
    username: str = ""
    secret_key: str = ""  # where its token is in the site's secrets

    @property
    def audited(self) -> bool:
        return self.kind in {"person", "partner"}


ANONYMOUS = Principal("anonymous", "anonymous")


def _holds(role: str, permissions: tuple[Permission, ...]) -> bool:
    return any(p in ROLE_PERMISSIONS[Role(role)] for p in permissions)


def _person(label: str, role: str, state: str) -> Principal:
    name = seed.username(role, state)
    return Principal(f"{label} ({name})", "person", name, f"tokens.{name}")


def refused_people(access: routes.Access) -> list[Principal]:
    """The department's people a gated route must refuse (roles in `seed.HOME_ROLES` order)."""
    people = []
    lacking = [r for r in seed.HOME_ROLES if not _holds(r, access.permissions)]
    holding = [r for r in seed.HOME_ROLES if _holds(r, access.permissions)]
    if lacking:
        people.append(_person("without the permission", lacking[0], "current"))
    if access.changes_records and "auditor" in holding:
        people.append(_person("read-only auditor", "auditor", "current"))
    if holding:
        people.append(_person("training lapsed", holding[0], "lapsed"))
        people.append(_person("disabled", holding[0], "disabled"))
    return people


def refused_partners(access: routes.Access) -> list[Principal]:
    """Partner tokens a gated API operation must refuse: one whose agreement does not cover it,
    and for a change to this department's records, one whose agreement does."""
    covering = {
        SCOPE_OF_PERMISSION[p].value for p in access.permissions if p in SCOPE_OF_PERMISSION
    }
    outside = [s for s in seed.PARTNER_SCOPES if s not in covering]
    partners = [
        Principal(f"partner without scope ({outside[0]})", "partner", "", f"partners.{outside[0]}")
    ]
    if access.changes_records:
        partners += [
            Principal(f"partner with scope ({s})", "partner", "", f"partners.{s}")
            for s in seed.PARTNER_SCOPES
            if s in covering
        ]
    return partners


DEVICE_REFUSED = [
    _person("a person's token", "administrator", "current"),
    Principal("a person's session (administrator)", "session", "administrator"),
    Principal("retired device token", "device", secret_key="retired_device"),
    Principal("unknown device token", "device", secret_key="unknown_device"),
]


# --- the cases, from the registry ------------------------------------------------------------

WEB_PATHS = {route.name: route.template for route in routes.url_routes()}


@dataclass(frozen=True)
class Case:
    channel: str  # api or web
    method: str  # for web: "" (GET, or POST where the page takes only that)
    route: str  # path template, or URL name
    values: tuple[tuple[str, str], ...]  # path parameters from EVERY
    access: routes.Access
    principal: Principal

    @property
    def examples(self) -> dict[str, Any]:
        """Example values particular to this case's path parameters (`EXAMPLES_OF`)."""
        return {k: v for pair in self.values for k, v in EXAMPLES_OF.get(pair, {}).items()}

    @property
    def id(self) -> str:
        values = dict(self.values)
        where = self.route if self.channel == "api" else WEB_PATHS[self.route]
        where = re.sub(r"{(\w+)}", lambda m: values.get(m.group(1), m.group(0)), where)
        return f"{self.channel} {self.method or ''} {where} as {self.principal.label}".replace(
            "  ", " "
        )


def _expansions(names: list[str]) -> Iterator[tuple[tuple[str, str], ...]]:
    chosen = [n for n in names if n in EVERY]
    for combo in itertools.product(*(EVERY[n] for n in chosen)):
        yield tuple(zip(chosen, combo, strict=True))


def generate_cases() -> list[Case]:
    cases = []
    for (method, path), access in routes.API_OPERATIONS.items():
        names = re.findall(r"{(\w+)}", path)
        for values in _expansions(names):
            if access.kind == "gated":
                who = [ANONYMOUS, *refused_people(access), *refused_partners(access)]
            elif access.kind == "device":
                who = [ANONYMOUS, *DEVICE_REFUSED]
            elif access.kind == "authenticated-administrative":
                who = [ANONYMOUS]
            else:
                continue
            cases += [Case("api", method, path, values, access, p) for p in who]
    for name, access in routes.WEB_ROUTES.items():
        if not name.startswith("web:") or access.kind not in {
            "gated",
            "authenticated-administrative",
        }:
            continue
        for values in _expansions(re.findall(r"{(\w+)}", WEB_PATHS[name])):
            who = [ANONYMOUS, *refused_people(access)] if access.kind == "gated" else [ANONYMOUS]
            cases += [Case("web", "", name, values, access, p) for p in who]
    return cases


# --- the site --------------------------------------------------------------------------------


@dataclass
class Site:
    base: str
    env: dict[str, str]
    data_dir: Path
    secrets: dict[str, Any]
    examples: dict[str, Any]
    sessions: dict[str, httpx.Client] = field(default_factory=dict)

    def secret(self, key: str) -> str:
        value: Any = self.secrets
        for part in key.split("."):
            value = value[part]
        return value

    def sql(self, statement: str, *params: object) -> list[tuple]:
        """Run SQL on the live server's database (tests may; the server's code may not)."""
        url = self.env.get("DATABASE_URL", "")
        if url.startswith("postgres"):
            import psycopg

            with psycopg.connect(url, autocommit=True) as conn:
                cursor = conn.execute(statement, params)
                return cursor.fetchall() if cursor.description else []
        conn = sqlite3.connect(self.data_dir / "platekeeper.sqlite3", timeout=30)
        try:
            cursor = conn.execute(statement.replace("%s", "?"), params)
            rows = cursor.fetchall()
            conn.commit()
            return rows
        finally:
            conn.close()


def _seed(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own test support module, fixed arguments
        [sys.executable, "-m", "tests.support.refusal_site", *args],
        env={
            **env,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        },
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _retire(env: dict[str, str], data_dir: Path) -> None:
    """Revoke the retired camera's token (a test's shortcut: there is no command for it yet)."""
    Site(base="", env=env, data_dir=data_dir, secrets={}, examples={}).sql(
        "UPDATE cameras_devicecredential SET revoked_at = CURRENT_TIMESTAMP WHERE camera_id IN "
        "(SELECT id FROM cameras_camera WHERE name = %s)",
        seed.RETIRED_CAMERA,
    )


def _sign_in(base: str, username: str) -> httpx.Client:
    """A browser-like client signed in as `username`, with a purpose stated."""
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/login")
    token = client.cookies.get("csrftoken", "")
    client.headers["X-CSRFToken"] = token
    answer = client.post(
        "/login",
        data={"username": username, "password": seed.PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert answer.status_code == 302, f"{username} could not sign in: {answer.status_code}"
    client.headers["X-CSRFToken"] = client.cookies.get("csrftoken", token)
    client.post("/purpose", data={"purpose": seed.PURPOSE, "case_number": "24-001"})
    return client


def _anonymous_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/login")
    client.headers["X-CSRFToken"] = client.cookies.get("csrftoken", "")
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    data_dir = tmp_path_factory.mktemp("refusals")
    with isolated_environment(data_dir) as env:
        secrets = json.loads(_seed(env))
        secrets["unknown_device"] = "pkd_" + "x" * 43
        _retire(env, data_dir)
        with running_server(env) as base:
            site = Site(base=base, env=env, data_dir=data_dir, secrets=secrets, examples={})
            posted = httpx.post(
                f"{base}/api/v1/reads",
                json={"reads": [READ]},
                headers={"Authorization": f"Bearer {secrets['device']}"},
                timeout=30,
            ).json()
            assert posted["stored"] == 1, posted
            assert posted["alerts"], posted
            (hotlist_id,) = site.sql(
                "SELECT id FROM hotlists_hotlist WHERE name = %s", seed.HOTLIST
            )[0]
            (agreement_id,) = site.sql("SELECT max(id) FROM sharing_agreement")[0]
            (alert_id,) = site.sql("SELECT max(id) FROM alerts_alert")[0]
            (camera_id,) = site.sql(
                "SELECT id FROM cameras_camera WHERE name = %s", seed.RETIRED_CAMERA
            )[0]
            site.examples = {
                **EXAMPLES,
                "alert_id": alert_id,
                "hotlist_id": hotlist_id,
                "agreement_id": agreement_id,
                "camera_id": camera_id,
                "number": secrets["records_request"],
            }
            # People sign in while they may; then those to be disabled are, as an
            # administrator would, while their sessions stay open.
            for role, state in itertools.product(seed.HOME_ROLES, seed.STATES):
                name = seed.username(role, state)
                site.sessions[name] = _sign_in(base, name)
            _seed(env, "disable")
            yield site
            for client in site.sessions.values():
                client.close()


# --- the requests ----------------------------------------------------------------------------


@functools.cache
def openapi() -> dict[str, Any]:
    from platekeeper.server.api import api

    return api.get_openapi_schema()


def _api_request(site: Site, case: Case) -> tuple[str, str, dict[str, Any]]:
    """Method, URL and httpx arguments for an API case, built from the OpenAPI document."""
    operation = openapi()["paths"][case.route][case.method.lower()]
    values = {**site.examples, **case.examples, **dict(case.values)}
    path = re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), case.route)
    params = {}
    for parameter in operation.get("parameters", ()):
        name = parameter["name"]
        if parameter["in"] == "query" and name in values:
            params[name] = values[name]
        elif parameter.get("required") and parameter["in"] == "query":
            pytest.fail(f"no example for the required parameter {name!r} of {case.route}")
    arguments: dict[str, Any] = {"params": params}
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        arguments["files"] = {"file": HOTLIST_FILE}
        arguments["data"] = {"format": "csv"}
    elif "application/json" in content or case.method == "POST":
        arguments["json"] = _json_body(case.route, content, values)
    return case.method, path, arguments


def _json_body(route: str, content: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in schema:
        components = openapi()["components"]["schemas"]
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    body = {k: values[k] for k in schema.get("properties", {}) if k in values}
    missing = set(schema.get("required", ())) - set(body)
    if missing:
        pytest.fail(f"no example for the body fields {sorted(missing)} of {route}")
    return body if schema else {"reads": []}


def _send(site: Site, case: Case) -> httpx.Response:
    principal = case.principal
    if case.channel == "api" and principal.kind == "session":
        method, path, arguments = _api_request(site, case)
        return _without_body(site.sessions[principal.username], method, path, **arguments)
    if case.channel == "api":
        method, path, arguments = _api_request(site, case)
        headers = {}
        if principal.secret_key:
            headers["Authorization"] = f"Bearer {site.secret(principal.secret_key)}"
        with httpx.Client(base_url=site.base, timeout=30) as client:
            return _without_body(client, method, path, headers=headers, **arguments)
    client = (
        site.sessions[principal.username] if principal.username else _anonymous_client(site.base)
    )
    values = {**site.examples, **WEB_EXAMPLES, **case.examples}
    path_values = {**values, **dict(case.values)}
    path = re.sub(r"{(\w+)}", lambda m: str(path_values[m.group(1)]), WEB_PATHS[case.route])
    query = urlencode(values, doseq=True)
    answer = _without_body(client, "GET", f"{path}?{query}")
    if answer.status_code == 405:
        form = {k: v for k, v in values.items() if not isinstance(v, list)}
        answer = _without_body(client, "POST", path, data=form, files={"file": HOTLIST_FILE})
    if not principal.username:
        client.close()
    return answer


def _without_body(client: httpx.Client, method: str, url: str, **arguments: Any) -> httpx.Response:
    """Send; read the body unless it is a stream, which (wrongly) opened would never end."""
    with client.stream(method, url, **arguments) as answer:
        if "text/event-stream" not in answer.headers.get("content-type", ""):
            answer.read()
        return answer


def _gist(answer: httpx.Response) -> str:
    """The status and the start of the page or message, for a failure's report."""
    text = answer.text if answer.is_stream_consumed else "(a stream)"
    text = re.sub(r"<[^>]+>|\s+", " ", text)
    found = re.search(r"(refus|error|required|invalid|not |must )[^.]{0,120}", text, re.I)
    return f"{answer.status_code} {found.group(0) if found else text[:120]!r}"


def _refused(case: Case, answer: httpx.Response) -> bool:
    if answer.status_code in {401, 403}:
        return True
    # A page sends whoever has no live session (anonymous, or a session ended by disabling
    # its account) to sign in, which refuses them too.
    signs_in = answer.status_code == 302 and answer.headers.get("location", "").startswith("/login")
    no_session = case.principal.kind == "anonymous" or case.principal.username.startswith(
        "disabled"
    )
    return case.channel == "web" and no_session and signs_in


CASES = generate_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_the_route_refuses_and_the_refusal_is_audited(site, case):
    (last,) = site.sql("SELECT coalesce(max(id), 0) FROM access_auditevent")[0]

    answer = _send(site, case)

    assert _refused(case, answer), f"{case.id}: answered {_gist(answer)}, not a refusal"
    if case.access.kind != "gated" or not case.principal.audited or answer.status_code == 302:
        return
    events = site.sql(
        "SELECT username, agency, outcome, action FROM access_auditevent WHERE id > %s", last
    )
    denied = [e for e in events if e[2] == "denied"]
    if case.principal.kind == "person":
        denied = [e for e in denied if e[0] == case.principal.username]
    assert denied, f"{case.id}: refused ({answer.status_code}) but not audited: {events}"

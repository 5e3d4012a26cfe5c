"""Every route the server answers, classified by who may reach it (issue 13, item 2).

A web page is named by its URL name (so it survives views moving between modules) and an API
operation by its method and path template as the OpenAPI document writes them. Each is one of:

- `PUBLIC`: open to anyone (signing in, health, the transparency page, the API's own document);
- `DEVICE`: a camera or agent with its device token, never a person;
- `AUTHENTICATED`: any signed-in person; discloses no ALPR data and changes nothing but the
  person's own account or session;
- `gated(permission, ...)`: a person whose role holds one of the permissions, with everything
  else the gate asks (account, training, second factor, purpose, sharing agreement).
  `changes_records=True` marks a change to this department's ALPR records, which auditors
  (read-only, 438.5(c)) and partner agencies must never make whatever their permissions.

`registry_problems` compares the registry with the URLconf and the OpenAPI document; the test
suite (tests/server/test_route_registry.py) fails on any problem, and the refusal test
(tests/server/test_refusals_generated.py) is generated from the entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from platekeeper.server.access.roles import SEE_APPROVALS, SEE_CAMERA_PLACES, Permission
from platekeeper.vendors import vendors

P = Permission


@dataclass(frozen=True)
class Access:
    """Who may reach a route: a kind, and for a gated route the permissions (any of them)."""

    kind: str
    permissions: tuple[Permission, ...] = ()
    changes_records: bool = False

    def __str__(self) -> str:
        if self.kind != "gated":
            return self.kind
        return f"gated({', '.join(p.value for p in self.permissions)})"


PUBLIC = Access("public")
DEVICE = Access("device")
AUTHENTICATED = Access("authenticated-administrative")


def gated(*permissions: Permission, changes_records: bool = False) -> Access:
    """A route for people whose role holds any of `permissions`, asked of the gate."""
    if not permissions:
        raise ValueError("a gated route names at least one permission")
    return Access("gated", tuple(permissions), changes_records)


#: Web pages by URL name (namespace `web`), grouped by page family.
WEB_ROUTES: dict[str, Access] = {
    # signing in and out, the person's own account and stated purpose
    "web:login": PUBLIC,
    "web:login_code": PUBLIC,
    "web:logout": PUBLIC,
    "web:home": AUTHENTICATED,
    "web:purpose": AUTHENTICATED,
    "web:purpose_clear": AUTHENTICATED,
    "web:account": AUTHENTICATED,
    "web:account_password": AUTHENTICATED,
    "web:account_totp": AUTHENTICATED,
    # reads and images
    "web:search": gated(P.SEARCH_READS),
    "web:read": gated(P.SEARCH_READS),
    "web:image": gated(P.SEARCH_READS),
    "web:read_correct": gated(P.VIEW_ALERTS, changes_records=True),
    # investigations
    "web:sightings": gated(P.SEARCH_READS),
    "web:canvass": gated(P.CANVASS_READS),
    "web:scenes": gated(P.CANVASS_READS),
    "web:convoy": gated(P.CANVASS_READS),
    "web:investigation_export": gated(P.EXPORT_READS),
    # alerts and the live feed
    "web:alerts": gated(P.VIEW_ALERTS),
    "web:alert_stream": gated(P.VIEW_ALERTS),
    "web:alert": gated(P.VIEW_ALERTS),
    "web:alert_image": gated(P.VIEW_ALERTS),
    "web:alert_step": gated(P.VIEW_ALERTS, changes_records=True),
    "web:alert_metrics": gated(P.VIEW_AUDIT, P.MANAGE_SETTINGS),
    # hotlists
    "web:hotlists": gated(P.ENTER_HOTLIST_ENTRIES),
    "web:hotlist": gated(P.ENTER_HOTLIST_ENTRIES),
    "web:hotlist_import": gated(P.MANAGE_SETTINGS, changes_records=True),
    "web:hotlist_add": gated(P.ENTER_HOTLIST_ENTRIES, changes_records=True),
    # cameras
    "web:cameras": gated(P.MANAGE_CAMERAS),
    "web:camera_add": gated(P.MANAGE_CAMERAS),
    "web:camera_edit": gated(P.MANAGE_CAMERAS),
    "web:camera_token": gated(P.MANAGE_CAMERAS),
    "web:camera_revoke": gated(P.MANAGE_CAMERAS),
    # maps: the street layer and where the cameras stand (no plate, read or person)
    "web:map_streets": gated(*SEE_CAMERA_PLACES),
    "web:map_cameras": gated(*SEE_CAMERA_PLACES),
    # evidence and retention
    "web:evidence": gated(P.PLACE_HOLDS, P.MANAGE_RETENTION),
    "web:evidence_hold": gated(P.PLACE_HOLDS, changes_records=True),
    "web:evidence_release": gated(P.PLACE_HOLDS, P.MANAGE_RETENTION, changes_records=True),
    "web:evidence_export": gated(P.EXPORT_READS),
    "web:retention": gated(P.MANAGE_RETENTION, P.VIEW_AUDIT),
    # approvals of broad queries: the requester's own, and the supervisor's queue
    "web:approvals": gated(*SEE_APPROVALS),
    "web:approval_decide": gated(P.APPROVE_BROAD_QUERIES),
    # records requests
    "web:records": gated(P.MANAGE_RECORDS_REQUESTS),
    "web:records_request": gated(P.MANAGE_RECORDS_REQUESTS),
    "web:records_extend": gated(P.MANAGE_RECORDS_REQUESTS),
    "web:records_decide": gated(P.DECIDE_RECORDS_REQUESTS),
    "web:records_amend": gated(P.DECIDE_RECORDS_REQUESTS),
    "web:records_release": gated(P.EXPORT_READS),
    # people, settings and training
    "web:users": gated(P.MANAGE_USERS),
    "web:user_disable": gated(P.MANAGE_USERS),
    "web:user_reset_totp": gated(P.MANAGE_USERS),
    "web:user_revoke_tokens": gated(P.MANAGE_USERS),
    "web:require_totp": gated(P.MANAGE_SETTINGS),
    "web:training": gated(P.RECORD_TRAINING),
    # audit and compliance
    "web:audit": gated(P.VIEW_AUDIT),
    "web:audit_report": gated(P.VIEW_AUDIT),
    "web:audit_samples": gated(P.VIEW_AUDIT),
    "web:audit_sample_review": gated(P.VIEW_AUDIT),
    "web:compliance": gated(P.VIEW_COMPLIANCE),
    "web:compliance_officials": gated(P.MANAGE_SETTINGS),
    "web:policy": gated(P.MANAGE_SETTINGS),
    # sharing with partner agencies
    "web:sharing": gated(P.MANAGE_SHARING, P.VIEW_AUDIT),
    "web:sharing_switch": gated(P.MANAGE_SHARING),
    "web:sharing_agency": gated(P.MANAGE_SHARING),
    "web:sharing_agreement": gated(P.MANAGE_SHARING),
    "web:sharing_revoke": gated(P.MANAGE_SHARING),
    "web:sharing_check": gated(P.MANAGE_SHARING, P.VIEW_AUDIT),
    # public pages
    "web:health": PUBLIC,
    "web:transparency": PUBLIC,
    "web:transparency_json": PUBLIC,
    # the API's own document and its browsable page (its operations are below)
    "api-v1:openapi-json": PUBLIC,
    "api-v1:openapi-view": PUBLIC,
    "api-v1:api-root": PUBLIC,
}

#: API operations by (method, path template of the OpenAPI document), grouped by app.
API_OPERATIONS: dict[tuple[str, str], Access] = {
    # ingest (cameras, agents, and each vendor format of `platekeeper.vendors`)
    ("POST", "/api/v1/reads"): DEVICE,
    **{("POST", f"/api/v1/ingest/{vendor.name}"): DEVICE for vendor in vendors()},
    # the agent beside a camera
    ("POST", "/api/v1/agent/heartbeat"): DEVICE,
    ("GET", "/api/v1/agent/hotlists"): DEVICE,
    # reads and images
    ("GET", "/api/v1/reads/search"): gated(P.SEARCH_READS),
    ("GET", "/api/v1/reads/{read_id}"): gated(P.SEARCH_READS),
    ("GET", "/api/v1/images/{sha256}"): gated(P.SEARCH_READS),
    # investigations
    ("GET", "/api/v1/reads/{read_id}/sightings"): gated(P.SEARCH_READS),
    ("GET", "/api/v1/reads/canvass"): gated(P.CANVASS_READS),
    ("GET", "/api/v1/reads/canvass/plates"): gated(P.CANVASS_READS),
    ("GET", "/api/v1/reads/canvass/export"): gated(P.EXPORT_READS),
    ("GET", "/api/v1/reads/scenes"): gated(P.CANVASS_READS),
    ("GET", "/api/v1/reads/scenes/export"): gated(P.EXPORT_READS),
    ("GET", "/api/v1/reads/convoy"): gated(P.CANVASS_READS),
    ("GET", "/api/v1/reads/convoy/export"): gated(P.EXPORT_READS),
    # alerts and their verification steps
    ("GET", "/api/v1/alerts"): gated(P.VIEW_ALERTS),
    ("GET", "/api/v1/alerts/{alert_id}"): gated(P.VIEW_ALERTS),
    ("POST", "/api/v1/alerts/{alert_id}/{step}"): gated(P.VIEW_ALERTS, changes_records=True),
    # hotlists
    ("POST", "/api/v1/hotlists/{name}/import"): gated(P.MANAGE_SETTINGS, changes_records=True),
    ("POST", "/api/v1/hotlists/{name}/entries"): gated(
        P.ENTER_HOTLIST_ENTRIES, changes_records=True
    ),
    ("GET", "/api/v1/shared/hotlist-entries"): gated(P.RECEIVE_HOTLIST_ENTRIES),
    # approvals of broad queries
    ("GET", "/api/v1/approvals"): gated(*SEE_APPROVALS),
    ("POST", "/api/v1/approvals/{approval_id}/approve"): gated(P.APPROVE_BROAD_QUERIES),
    ("POST", "/api/v1/approvals/{approval_id}/deny"): gated(P.APPROVE_BROAD_QUERIES),
}

_CONVERTER = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")
_HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@dataclass(frozen=True)
class UrlRoute:
    """One pattern of a URLconf: its qualified URL name (or "") and its path as a template."""

    name: str
    template: str


def url_routes(urlconf: str | ModuleType | None = None) -> list[UrlRoute]:
    """Every pattern of the URLconf (the project's by default), includes followed."""
    from django.urls import get_resolver

    # Django takes a URLconf module as well as its dotted name (the tests pass one); the stubs
    # declare only the name.
    resolver = get_resolver(urlconf)  # type: ignore[arg-type]
    return list(_walk(resolver.url_patterns, "", ""))


def _walk(patterns: Iterable[Any], prefix: str, namespace: str) -> Iterator[UrlRoute]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if hasattr(pattern, "url_patterns"):
            inner = ":".join(n for n in (namespace, pattern.namespace or "") if n)
            yield from _walk(pattern.url_patterns, route, inner)
            continue
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name or ""
        yield UrlRoute(name=name, template="/" + _CONVERTER.sub(r"{\1}", route).lstrip("^"))


def api_operations(schema: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
    """(METHOD, path template) of every operation in the OpenAPI document (the API's by default)."""
    if schema is None:
        from platekeeper.server.api import api

        schema = api.get_openapi_schema()
    return [
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in _HTTP_METHODS
    ]


def registry_problems(
    urlconf: str | ModuleType | None = None, schema: Mapping[str, Any] | None = None
) -> list[str]:
    """What the registry and the server disagree on, one readable line each; [] when none.

    A URL pattern whose path is in the OpenAPI document is classified by its operations;
    every other pattern by its URL name (an unnamed one cannot be classified). Entries that
    name a route or operation the server no longer has are problems too.
    """
    operations = api_operations(schema)
    operation_paths = {path for _, path in operations}
    problems = []
    named = set()
    for route in url_routes(urlconf):
        if route.template in operation_paths:
            continue
        if not route.name:
            problems.append(
                f"web route {route.template} has no URL name, so it cannot be classified"
            )
        elif route.name not in WEB_ROUTES:
            problems.append(f"web route {route.name!r} ({route.template}) is not classified")
        named.add(route.name)
    problems += [
        f"API operation {method} {path} is not classified"
        for method, path in operations
        if (method, path) not in API_OPERATIONS
    ]
    problems += [
        f"registry names web route {name!r}, which the URLconf lacks"
        for name in WEB_ROUTES.keys() - named
    ]
    problems += [
        f"registry names API operation {method} {path}, which the OpenAPI document lacks"
        for method, path in API_OPERATIONS.keys() - set(operations)
    ]
    return sorted(problems)

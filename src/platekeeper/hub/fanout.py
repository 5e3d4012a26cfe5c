"""Fanning one search out to the member nodes and merging what they answer.

Each member is a platekeeper node that issued the partner agency a token under its own sharing
agreement (`platekeeper sharing token`); the hub calls the node's ordinary search API with that
token, so the node's gate decides, audits the access and writes its sharing log. A member that
refuses (no agreement covering the search or purpose) or is down is reported, never fatal.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

import httpx

from platekeeper.errors import PlatekeeperError

#: The search parameters a hub passes on, as the nodes' /api/v1/reads/search takes them.
SEARCH_PARAMETERS = ("plate", "purpose", "case_number", "start", "end", "lookalike", "limit")


class HubConfigError(PlatekeeperError, ValueError):
    """The hub's configuration file cannot be used; the message names what is wrong."""


@dataclass(frozen=True)
class Member:
    """A member agency's node and the token it issued to the partner this hub serves."""

    name: str
    url: str
    token: str = field(repr=False)
    timeout: float = 10.0


@dataclass(frozen=True)
class HubConfig:
    members: tuple[Member, ...]
    #: SHA-256 (hex) of the bearer tokens allowed to call the hub.
    caller_digests: frozenset[str]

    def allows(self, token: str) -> bool:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return any(hmac.compare_digest(digest, known) for known in self.caller_digests)


@dataclass
class MemberAnswer:
    name: str
    status: str  # "answered", "refused" or "down"
    count: int = 0
    detail: str = ""
    results: list[dict] = field(default_factory=list)

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status,
            "count": self.count,
            "detail": self.detail,
        }


def load_config(path: Path) -> HubConfig:
    """Read a hub configuration: {"callers": [sha256 hex, ...], "members": [{"name", "url",
    "token", "timeout"?}, ...]}."""
    try:
        raw = json.loads(path.read_text())
        members = tuple(
            Member(
                name=str(item["name"]),
                url=str(item["url"]).rstrip("/"),
                token=str(item["token"]),
                timeout=float(item.get("timeout", 10.0)),
            )
            for item in raw["members"]
        )
        callers = frozenset(str(digest).lower() for digest in raw["callers"])
    except OSError as error:
        raise HubConfigError(f"config: cannot read {path}: {error.strerror}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise HubConfigError(f"config: {path} is not a hub configuration ({error})") from None
    if not members:
        raise HubConfigError("config: members: list at least one member node")
    if len({member.name for member in members}) != len(members):
        raise HubConfigError("config: members: each member needs its own name")
    return HubConfig(members=members, caller_digests=callers)


class MergedSearch(TypedDict):
    """The hub's answer: every member's rows (each naming its member) and how each answered."""

    results: list[dict]
    members: list[dict[str, object]]


def fan_out(config: HubConfig, params: dict[str, str]) -> MergedSearch:
    """Ask every member at once; return the merged results (newest first, each naming its
    member) and one line per member saying how it answered."""
    wanted = {name: value for name, value in params.items() if name in SEARCH_PARAMETERS}
    with ThreadPoolExecutor(max_workers=len(config.members)) as pool:
        answers = list(pool.map(lambda member: ask(member, wanted), config.members))
    results = [row for answer in answers for row in answer.results]
    results.sort(key=lambda row: str(row.get("captured_at", "")), reverse=True)
    return {"results": results, "members": [answer.summary() for answer in answers]}


def ask(member: Member, params: dict[str, str]) -> MemberAnswer:
    """One member's answer to a search, as the partner's token gets it from its node."""
    try:
        response = httpx.get(
            f"{member.url}/api/v1/reads/search",
            params=params,
            headers={"Authorization": f"Bearer {member.token}"},
            timeout=member.timeout,
        )
    except httpx.HTTPError as error:
        return MemberAnswer(member.name, "down", detail=f"{type(error).__name__}: {error}")
    if response.status_code >= 500:
        return MemberAnswer(member.name, "down", detail=f"HTTP {response.status_code}")
    try:
        body = response.json()
    except ValueError:
        return MemberAnswer(member.name, "down", detail="the node did not answer in JSON")
    if response.status_code != 200:
        detail = body.get("detail", "") if isinstance(body, dict) else ""
        return MemberAnswer(member.name, "refused", detail=f"HTTP {response.status_code}: {detail}")
    rows = [{**row, "member": member.name} for row in body.get("results", [])]
    return MemberAnswer(member.name, "answered", count=len(rows), results=rows)

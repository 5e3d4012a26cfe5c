"""Writing and verifying the hash-chained, HMAC-keyed audit log.

Each event's hash is HMAC-SHA256(key, canonical JSON of its content, its id and the previous
event's hash). The key lives outside the database (PLATEKEEPER_AUDIT_KEY, the file
PLATEKEEPER_AUDIT_KEY_FILE, or a file in the data dir), so someone with only database access
cannot re-forge the chain after editing it; `audit_key_problem` says when the key sits with the
database after all (a production server refuses to start, the compliance report fails).

Checkpoints of the chain head, written to a file outside the database (and, with
PLATEKEEPER_AUDIT_SYSLOG, to syslog) every PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS while events are
written and when the server stops, catch the removal of the newest events: even a database
superuser who drops the triggers can make vanish at most the events of the last interval.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import logging.handlers
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.prohibited import REASON as PROHIBITED
from platekeeper.server.environment import ConfigurationError, secret_in_file

GENESIS_HASH = "0" * 64
#: Arbitrary constant naming the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 438_005


class AuditKeyMissing(ConfigurationError):
    """The audit log holds events but the key that signed them is not where it is looked for."""


def audit_key() -> bytes:
    """PLATEKEEPER_AUDIT_KEY, else the key in `audit_key_file()`, made on first use only: once
    events exist, a missing file is refused (`AuditKeyMissing`), since a new key would make
    every earlier event fail chain verification."""
    configured = os.environ.get("PLATEKEEPER_AUDIT_KEY")
    if configured:
        return configured.encode()
    problem = missing_audit_key_problem()
    if problem:
        raise AuditKeyMissing(problem)
    return secret_in_file(audit_key_file()).encode()


def missing_audit_key_problem() -> str | None:
    """Why no audit key may be made now (events exist, signed by a key file that is gone), or
    None. Checked by `serve` before it starts and by every use of the key."""
    if os.environ.get("PLATEKEEPER_AUDIT_KEY"):
        return None
    path = audit_key_file()
    if path.exists() or not AuditEvent.objects.exists():
        return None
    return (
        f"the audit key file {path} is missing but the audit log already holds events signed "
        "with a key; restore that file or set PLATEKEEPER_AUDIT_KEY_FILE to where the key is "
        "kept (a new key would make chain verification fail)"
    )


def audit_key_file() -> Path:
    """PLATEKEEPER_AUDIT_KEY_FILE, else `audit_key` in the data dir the settings chose (so a
    test's own data dir keeps its key, never the checkout's ./var)."""
    configured = os.environ.get("PLATEKEEPER_AUDIT_KEY_FILE")
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(settings.DATA_DIR) / "audit_key"


def audit_key_problem() -> str | None:
    """Why the audit key is kept where the database is, or None when it is kept apart.

    An SQLite database is a file: whoever copies its directory (or the data dir holding both)
    gets the key too, and can edit the log and re-sign the chain. PostgreSQL keeps its data on
    its own server, so a key in this server's data dir is apart from it.
    """
    if os.environ.get("PLATEKEEPER_AUDIT_KEY"):
        return None
    database = _sqlite_directory()
    if database is None:
        return None
    key, data = audit_key_file(), Path(settings.DATA_DIR)
    if key.is_relative_to(database) or (key.is_relative_to(data) and database.is_relative_to(data)):
        return (
            f"the audit key file {key} is kept with the database in {database}: whoever copies "
            "the database can also re-sign an altered audit log; set PLATEKEEPER_AUDIT_KEY, or "
            f"PLATEKEEPER_AUDIT_KEY_FILE to a file outside {data}"
        )
    return None


def _sqlite_directory() -> Path | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if "memory" in name:  # the test suite's in-memory database
        return None
    return Path(name).expanduser().resolve().parent


def _content(event: AuditEvent) -> bytes:
    body = {
        "id": event.pk,
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "username": event.username,
        "user_id": event.user_id_at_event,
        "agency": event.agency,
        "action": event.action,
        "outcome": event.outcome,
        "reason": event.reason,
        "purpose": event.purpose,
        "case_number": event.case_number,
        "query": event.query,
        "record_ids": event.record_ids,
        "record_count": event.record_count,
        "client_address": event.client_address,
        "channel": event.channel,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def event_hash(event: AuditEvent, key: bytes) -> str:
    return hmac.new(key, _content(event), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Actor:
    """Who an event is about: a user, or a named system actor (e.g. the CLI on the server)."""

    username: str
    user_id: int | None = None
    agency: str = ""

    @classmethod
    def of(cls, user: Any) -> Actor:
        agency = user.agency.name if getattr(user, "agency_id", None) else ""
        return cls(username=user.get_username(), user_id=user.pk, agency=agency)


def record_event(
    *,
    actor: Actor,
    action: str,
    outcome: str = Outcome.ALLOWED,
    reason: str = "",
    purpose: str = "",
    case_number: str = "",
    query: dict[str, Any] | None = None,
    record_ids: Sequence[str] = (),
    record_count: int | None = None,
    client_address: str = "",
    channel: str = "",
) -> AuditEvent:
    """Append one event to the chain (in the caller's transaction, if there is one)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        # SQLite needs no lock: platekeeper opens every transaction IMMEDIATE (one writer).
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        previous_id, previous_hash = last if last else (0, GENESIS_HASH)
        event = AuditEvent(
            id=previous_id + 1,
            occurred_at=timezone.now(),
            username=actor.username,
            user_id_at_event=actor.user_id,
            agency=actor.agency,
            action=action,
            outcome=outcome,
            reason=reason[:300],
            purpose=purpose,
            case_number=case_number,
            query=query or {},
            record_ids=[str(i) for i in record_ids],
            record_count=len(record_ids) if record_count is None else record_count,
            client_address=client_address,
            channel=channel,
            previous_hash=previous_hash,
        )
        event.hash = event_hash(event, audit_key())
        event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of `verify_chain`. `uncovered_events` are the newest events that no
    checkpoint covers yet: the only ones whose deletion verification cannot see."""

    ok: bool
    events_checked: int
    checkpoints_checked: int
    broken_event_id: int | None = None
    problem: str = ""
    uncovered_events: int = 0
    last_checkpoint_at: str = ""


def verify_chain(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the whole chain, then the checkpoints; report the first broken event."""
    key = audit_key()
    rows = events if events is not None else AuditEvent.objects.order_by("id").iterator(2000)
    expected_id, previous_hash, checked = None, GENESIS_HASH, 0
    heads: dict[int, str] = {}
    for event in rows:
        if expected_id is not None and event.pk != expected_id:
            return _broken(checked, expected_id, f"event #{expected_id} is missing (deleted)")
        if event.previous_hash != previous_hash:
            return _broken(
                checked, event.pk, f"event #{event.pk} does not follow the one before it"
            )
        if not hmac.compare_digest(event_hash(event, key), event.hash):
            return _broken(checked, event.pk, f"event #{event.pk} was altered")
        heads[event.pk] = event.hash
        previous_hash, expected_id, checked = event.hash, event.pk + 1, checked + 1
    last_id = (expected_id or 1) - 1
    checkpoints = read_checkpoints()
    for checkpoint in checkpoints:
        event_id, head = checkpoint["event_id"], checkpoint["hash"]
        if event_id > last_id:
            return _broken(
                checked,
                event_id,
                f"events up to #{event_id} existed at the checkpoint of {checkpoint['date']} "
                f"but the log now ends at #{last_id}",
            )
        if event_id in heads and heads[event_id] != head:
            return _broken(
                checked,
                event_id,
                f"event #{event_id} differs from the checkpoint of {checkpoint['date']}",
            )
    covered = max((c["event_id"] for c in checkpoints), default=0)
    return VerifyResult(
        ok=True,
        events_checked=checked,
        checkpoints_checked=len(checkpoints),
        uncovered_events=last_id - covered,
        last_checkpoint_at=checkpoints[-1].get("written_at", "") if checkpoints else "",
    )


def _broken(checked: int, event_id: int, problem: str) -> VerifyResult:
    return VerifyResult(
        ok=False,
        events_checked=checked,
        checkpoints_checked=0,
        broken_event_id=event_id,
        problem=problem,
    )


def checkpoint_path() -> Path:
    return Path(settings.DATA_DIR) / "audit" / "checkpoints.jsonl"


def read_checkpoints() -> list[dict[str, Any]]:
    path = checkpoint_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def write_checkpoint() -> dict[str, Any] | None:
    """Append the chain head to the checkpoint file outside the database (every
    PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS under `serve`, when it stops, and on demand).

    Returns the checkpoint written, or None when the log is empty or the head is unchanged.
    """
    head = AuditEvent.objects.order_by("-id").values("id", "hash").first()
    if head is None:
        return None
    existing = read_checkpoints()
    if existing and existing[-1]["event_id"] == head["id"]:
        return None
    checkpoint = {
        "date": timezone.now().date().isoformat(),
        "written_at": timezone.now().isoformat(),
        "event_id": head["id"],
        "hash": head["hash"],
    }
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        handle.write(json.dumps(checkpoint, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _send_to_syslog(checkpoint)
    return checkpoint


def chain_head() -> dict[str, Any]:
    """The audit chain's head as published daily (event count, newest event and its hash):
    whoever saved it can later prove that no event up to it was rewritten or removed."""
    head = AuditEvent.objects.order_by("-id").values("id", "hash", "occurred_at").first()
    return {
        "events": AuditEvent.objects.count(),
        "head_event_id": head["id"] if head else None,
        "head_hash": head["hash"] if head else "",
        "head_at": head["occurred_at"].isoformat() if head else None,
    }


def daily_checkpoints() -> list[dict[str, Any]]:
    """The last checkpoint of each day, oldest first (the checkpoint file's history, one line
    a day, for the public page). The file gains a line a minute while events are written, so
    the digest is kept until the file changes rather than re-read on every public request."""
    path = checkpoint_path()
    if not path.exists():
        return []
    stat = path.stat()
    return list(_daily_checkpoints(str(path), stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=1)
def _daily_checkpoints(path: str, size: int, mtime_ns: int) -> tuple[dict[str, Any], ...]:
    by_day: dict[str, dict[str, Any]] = {}
    for checkpoint in read_checkpoints():
        by_day[checkpoint["date"]] = checkpoint
    return tuple(
        {"date": day, "event_id": row["event_id"], "hash": row["hash"]}
        for day, row in sorted(by_day.items())
    )


def _send_to_syslog(checkpoint: dict[str, Any]) -> None:
    """A second copy where the database's users cannot reach it (PLATEKEEPER_AUDIT_SYSLOG:
    a socket path such as /dev/log, or host:port over UDP)."""
    target = getattr(settings, "PLATEKEEPER_AUDIT_SYSLOG", "")
    if not target:
        return
    host, _, port = target.rpartition(":")
    address: str | tuple[str, int] = (host, int(port)) if host and port.isdigit() else target
    handler = logging.handlers.SysLogHandler(
        address=address, facility=logging.handlers.SysLogHandler.LOG_AUTH
    )
    try:
        handler.emit(
            logging.makeLogRecord(
                {
                    "msg": "platekeeper audit checkpoint %s",
                    "args": (json.dumps(checkpoint, sort_keys=True),),
                    "levelno": logging.INFO,
                    "levelname": "INFO",
                }
            )
        )
    finally:
        handler.close()


def verify_and_record() -> VerifyResult:
    """Walk the chain and keep the result for the audit page (the scheduler's job); a broken
    chain is also logged as an error for whoever watches the server's log."""
    from platekeeper.server.access.models import ChainVerification

    result = verify_chain()
    ChainVerification.objects.create(
        ran_at=timezone.now(),
        ok=result.ok,
        events_checked=result.events_checked,
        checkpoints_checked=result.checkpoints_checked,
        broken_event_id=result.broken_event_id,
        problem=result.problem[:300],
        uncovered_events=result.uncovered_events,
    )
    if not result.ok:
        logging.getLogger(__name__).error("audit chain verification failed: %s", result.problem)
    return result


def latest_event(actions: str | Sequence[str], **lookups: Any) -> AuditEvent | None:
    """The newest allowed event of these actions (narrowed by `lookups`, e.g. `query__id=3`),
    for the checks that ask when something was last done: a policy posted, an audit report run,
    an agreement approved."""
    names = [actions] if isinstance(actions, str) else list(actions)
    return (
        AuditEvent.objects.filter(action__in=names, outcome=Outcome.ALLOWED, **lookups)
        .order_by("-id")
        .first()
    )


def events_newest_first(
    *,
    username: str = "",
    action_prefix: str = "",
    outcome: str = "",
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """The events an auditor narrowed the log to (empty: all of them), newest first; lazy, for
    the gated `access.queries.audit_log` to page through."""
    events = AuditEvent.objects.order_by("-id")
    if username:
        events = events.filter(username=username)
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    if outcome:
        events = events.filter(outcome=outcome)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    return events


def allowed_counts_by_purpose(action_prefix: str, since: dt.datetime) -> dict[str, int]:
    """How many allowed accesses of these actions since `since`, by stated purpose (aggregate
    counts only, for the public transparency page); "(none)" for those without one."""
    rows = (
        AuditEvent.objects.filter(
            occurred_at__gte=since, outcome=Outcome.ALLOWED, action__startswith=action_prefix
        )
        .values("purpose")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    return {row["purpose"] or "(none)": row["count"] for row in rows}


#: Kinds of refusal reasons, by how the gate's sentences begin or what they name; the first
#: that fits a reason is its kind, "other" when none does.
REFUSAL_KINDS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("prohibited purpose", lambda reason: reason.startswith(PROHIBITED)),
    ("awaiting approval", lambda reason: reason.startswith("awaiting approval")),
    ("no agreement", lambda reason: "agreement" in reason or "sharing" in reason),
    ("bad case number", lambda reason: reason.startswith("case_number:")),
    ("no purpose", lambda reason: reason.startswith("purpose:")),
    ("training", lambda reason: "training" in reason),
    ("not permitted", lambda reason: "may not" in reason),
    ("account", lambda reason: "account" in reason or "second factor" in reason),
)


def refusal_kind(reason: str) -> str:
    return next((kind for kind, fits in REFUSAL_KINDS if fits(reason)), "other")


def refusals_by_reason(since: dt.datetime) -> dict[str, int]:
    """How many accesses were refused since `since`, by the kind of reason (aggregate counts
    only, for the public page and the Auditor's dashboard): see `REFUSAL_KINDS`."""
    rows = (
        AuditEvent.objects.filter(occurred_at__gte=since, outcome=Outcome.DENIED)
        .values("reason")
        .annotate(count=Count("id"))
    )
    counts: dict[str, int] = {}
    for row in rows:
        kind = refusal_kind(row["reason"])
        counts[kind] = counts.get(kind, 0) + row["count"]
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

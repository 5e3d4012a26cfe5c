"""Naming the program's officials, and running the compliance report, each audited.

Both take `by`: a web or API `Requester`, who passes the access gate first (a refusal is
audited too), or the console `Actor` of someone on the server itself, which like every other
administrative CLI command is trusted as the server's administrator.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize
from platekeeper.server.access.roles import Permission
from platekeeper.server.compliance.checks import CheckResult, run_checks
from platekeeper.server.compliance.models import ProgramOfficials

#: Bounds of the audit interval: at least daily, at most yearly (438.5(c) "a regular basis").
AUDIT_EVERY_DAYS_RANGE = range(1, 366)


OFFICIALS_ACTION = "compliance.officials"
REPORT_ACTION = "compliance.report"
_NAMED_FIELDS = ("administrator_name", "administrator_title", "designee_name", "designee_title")


class ComplianceError(PlatekeeperError, ValueError):
    """A change to the officials was refused; the message names the field and why."""


@dataclass(frozen=True)
class Officials:
    """The named officials and the audit interval, as a form or the CLI states them."""

    administrator_name: str
    administrator_title: str
    designee_name: str
    designee_title: str
    audit_every_days: int

    @classmethod
    def of(cls, row: ProgramOfficials) -> Officials:
        return cls(**{field.name: getattr(row, field.name) for field in dataclasses.fields(cls)})

    @classmethod
    def current(cls) -> Officials:
        return cls.of(ProgramOfficials.current())


def _acting(
    by: Requester | Actor, *, permission: Permission, action: str, query: dict[str, Any]
) -> dict[str, Any]:
    """The `record_event` fields naming who acts, once a requester has passed the gate."""
    if isinstance(by, Actor):
        return {"actor": by}
    authorize(by, permission=permission, justification=ADMINISTRATIVE, action=action, query=query)
    return {"actor": Actor.of(by.user), "channel": by.channel, "client_address": by.client_address}


def _checked(officials: Officials) -> Officials:
    """The officials with names and titles trimmed; every one is required (438.2.1(e))."""
    texts = {field: getattr(officials, field).strip() for field in _NAMED_FIELDS}
    for field, value in texts.items():
        label = field.replace("_", " ")
        if not value:
            raise ComplianceError(f"{label}: must not be empty")
        limit = ProgramOfficials._meta.get_field(field).max_length
        if len(value) > limit:
            raise ComplianceError(f"{label}: at most {limit} characters")
    if officials.audit_every_days not in AUDIT_EVERY_DAYS_RANGE:
        raise ComplianceError(
            f"audit every days: must be {AUDIT_EVERY_DAYS_RANGE.start}-"
            f"{AUDIT_EVERY_DAYS_RANGE.stop - 1}, not {officials.audit_every_days}"
        )
    return dataclasses.replace(officials, **texts)


def name_officials(officials: Officials, *, by: Requester | Actor) -> Officials:
    """Name the administrator and designee and set the audit interval, audited with before/after.

    A requester needs the permission to manage settings.
    """
    # The gate runs before the transaction: a refusal is audited although nothing changes.
    stated = dataclasses.asdict(officials)
    who = _acting(by, permission=Permission.MANAGE_SETTINGS, action=OFFICIALS_ACTION, query=stated)
    named = _checked(officials)
    with transaction.atomic():
        row = ProgramOfficials.objects.select_for_update().get(pk=ProgramOfficials.current().pk)
        before = Officials.of(row)
        for field, value in dataclasses.asdict(named).items():
            setattr(row, field, value)
        row.updated_at, row.updated_by = timezone.now(), who["actor"].username
        row.save()
        record_event(
            **who,
            action=OFFICIALS_ACTION,
            query={"before": dataclasses.asdict(before), "after": dataclasses.asdict(named)},
        )
    return named


def compliance_report(*, by: Requester | Actor, today: dt.date | None = None) -> list[CheckResult]:
    """Run every check; the run is audited with the keys of the obligations that failed.

    A requester needs the permission to see the compliance report.
    """
    who = _acting(by, permission=Permission.VIEW_COMPLIANCE, action=REPORT_ACTION, query={})
    results = run_checks(today)
    record_event(
        **who,
        action=REPORT_ACTION,
        query={"failed": [result.key for result in results if not result.passed]},
    )
    return results

"""Naming the program's officials, and running the compliance report, each audited.

Both take the `requester` and ask the access gate first (a refusal is audited too); the console
operator on the server itself passes it for these administrative acts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize, record_change
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


def _checked(officials: Officials) -> Officials:
    """The officials with names and titles trimmed; every one is required (438.2.1(e))."""
    texts = {field: getattr(officials, field).strip() for field in _NAMED_FIELDS}
    for field, value in texts.items():
        label = field.replace("_", " ")
        if not value:
            raise ComplianceError(f"{label}: must not be empty")
        column = ProgramOfficials._meta.get_field(field)
        limit = column.max_length if isinstance(column, models.CharField) else None
        if limit is not None and len(value) > limit:
            raise ComplianceError(f"{label}: at most {limit} characters")
    if officials.audit_every_days not in AUDIT_EVERY_DAYS_RANGE:
        raise ComplianceError(
            f"audit every days: must be {AUDIT_EVERY_DAYS_RANGE.start}-"
            f"{AUDIT_EVERY_DAYS_RANGE.stop - 1}, not {officials.audit_every_days}"
        )
    return dataclasses.replace(officials, **texts)


def name_officials(officials: Officials, *, requester: Requester) -> Officials:
    """Name the administrator and designee and set the audit interval, audited with before/after.

    A requester needs the permission to manage settings.
    """
    # The gate runs before the transaction: a refusal is audited although nothing changes.
    stated = dataclasses.asdict(officials)
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action=OFFICIALS_ACTION,
        query=stated,
    )
    named = _checked(officials)
    with transaction.atomic():
        row = ProgramOfficials.objects.select_for_update().get(pk=ProgramOfficials.current().pk)
        before = Officials.of(row)
        for field, value in dataclasses.asdict(named).items():
            setattr(row, field, value)
        row.updated_at, row.updated_by = timezone.now(), requester.username
        row.save()
        record_change(
            requester,
            ADMINISTRATIVE,
            action=OFFICIALS_ACTION,
            query={"before": dataclasses.asdict(before), "after": dataclasses.asdict(named)},
        )
    return named


def compliance_report(*, requester: Requester, today: dt.date | None = None) -> list[CheckResult]:
    """Run every check; the run is audited with the keys of the obligations that failed.

    A requester needs the permission to see the compliance report.
    """
    authorize(
        requester,
        permission=Permission.VIEW_COMPLIANCE,
        justification=ADMINISTRATIVE,
        action=REPORT_ACTION,
        query={},
    )
    results = run_checks(today)
    record_change(
        requester,
        ADMINISTRATIVE,
        action=REPORT_ACTION,
        query={"failed": [result.key for result in results if not result.passed]},
    )
    return results

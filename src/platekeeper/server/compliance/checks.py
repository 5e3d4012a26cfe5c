"""The compliance report: one check per obligation of Policy 438 and Civil Code §1798.90.51-.55.

A check is a small function of the day it judges that returns a `Finding` (passed, and the
evidence in a sentence with its figures); `@obligation` names what it checks and turns it into
a `Check` returning a `CheckResult`. To add an obligation, write one such function and append it
to `CHECKS`. Checks only read: `compliance.actions.compliance_report` runs them and audits it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from django.conf import settings
from django.utils import timezone

from platekeeper.server.access.audit import (
    audit_key_file,
    audit_key_problem,
    latest_event,
    refusals_by_reason,
    verify_chain,
)
from platekeeper.server.access.models import User
from platekeeper.server.access.prohibited import REASON as PROHIBITED
from platekeeper.server.access.queries import TrainingDue, training_due
from platekeeper.server.access.roles import Role
from platekeeper.server.cases.models import CaseNumberFormat
from platekeeper.server.compliance.models import ProgramOfficials
from platekeeper.server.records.models import RecordsRequest
from platekeeper.server.records.queries import late_requests
from platekeeper.server.retention.models import PurgeRun
from platekeeper.server.retention.queries import retention_schedule
from platekeeper.server.reviews.queries import review_progress, unreviewed_before
from platekeeper.server.sharing.queries import partners_in_effect, sharing_enabled
from platekeeper.server.sharing.selfcheck import sharing_findings
from platekeeper.server.transparency.queries import policy_text

#: The purge is a daily job; older than this, it has missed at least one run.
PURGE_MAX_AGE_DAYS = 2


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: the obligation, where it is written, and whether it is met."""

    key: str
    obligation: str
    reference: str
    passed: bool
    evidence: str


@dataclass(frozen=True)
class Finding:
    """What a check found: met or not, and the evidence a person can verify."""

    passed: bool
    evidence: str


Check = Callable[[dt.date], CheckResult]


def obligation(
    key: str, text: str, reference: str
) -> Callable[[Callable[[dt.date], Finding]], Check]:
    """Name the obligation a finding function checks, so the function holds only the logic."""

    def name(find: Callable[[dt.date], Finding]) -> Check:
        @functools.wraps(find)
        def check(today: dt.date) -> CheckResult:
            finding = find(today)
            return CheckResult(key, text, reference, finding.passed, finding.evidence)

        return check

    return name


def run_checks(today: dt.date | None = None) -> list[CheckResult]:
    """Every check of `CHECKS`, in order, as of `today` (default: today, local time)."""
    today = today or timezone.localdate()
    return [check(today) for check in CHECKS]


# --- wording -------------------------------------------------------------------------------


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _day(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else "(date not recorded)"


def _days_since(moment: dt.datetime, today: dt.date) -> int:
    return max(0, (today - timezone.localtime(moment).date()).days)


def _ago(days: int) -> str:
    return "today" if days == 0 else f"{_count(days, 'day')} ago"


# --- the checks ----------------------------------------------------------------------------


@obligation(
    "policy_posted",
    "ALPR policy posted on the department's website",
    "438.2.1(g); Civil Code §1798.90.51(b)",
)
def policy_posted(today: dt.date) -> Finding:
    """The file /transparency shows is there and not empty; the last publication is named."""
    text = policy_text()
    if not text.strip():
        return Finding(
            False,
            f"nothing is posted: {settings.PLATEKEEPER_POLICY_FILE} is missing or empty "
            "(post it with `platekeeper policy publish FILE`)",
        )
    body = text.encode()
    digest = hashlib.sha256(body).hexdigest()
    return Finding(
        True, f"{len(body):,} bytes posted, sha256 {digest[:12]}; {_publication(digest)}"
    )


def _publication(digest: str) -> str:
    event = latest_event("policy.publish")
    if event is None:
        return "never published through platekeeper"
    changed = "" if event.query.get("sha256") == digest else "; the file was changed since"
    return f"last published {_day(event.occurred_at)} by {event.username}{changed}"


@obligation(
    "officials_named",
    "ALPR administrator and designee named",
    "438.2.1(e); Civil Code §1798.90.51(b)",
)
def officials_named(today: dt.date) -> Finding:
    """Both names are set (titles default or are required when named)."""
    row = ProgramOfficials.current()
    names = {"administrator": row.administrator_name, "designee": row.designee_name}
    missing = [role for role, name in names.items() if not name]
    if missing:
        return Finding(
            False,
            f"no {' and no '.join(missing)} named "
            "(name them with `platekeeper compliance officials` or on /compliance)",
        )
    return Finding(
        True,
        f"administrator {row.administrator_name} ({row.administrator_title}), "
        f"designee {row.designee_name} ({row.designee_title}); "
        f"named {_day(row.updated_at)} by {row.updated_by}",
    )


@obligation("retention_minimum", "ALPR data kept at least one year", "438.4; Gov. Code §34090.6")
def retention_minimum(today: dt.date) -> Finding:
    """No period of collected ALPR data is below its minimum; an override does not excuse it."""
    schedule = retention_schedule()
    rows = [row for row in schedule.rows if row.kind.is_alpr_data]
    periods = ", ".join(f"{row.kind.value} {row.days} d" for row in rows)
    below = [row for row in rows if row.days < row.minimum]
    if not below:
        return Finding(True, f"{periods}; none below the one-year minimum")
    named = ", ".join(f"{row.kind.value} {row.days} d < {row.minimum} d" for row in below)
    override = (
        f"override by {schedule.override_by} on {_day(schedule.override_at)}: "
        f"{schedule.override_reason}"
        if schedule.override_reason and schedule.override_at
        else "no override recorded"
    )
    return Finding(False, f"below the minimum: {named}; {override}")


@obligation("purge_recent", "Expired ALPR data purged daily", "438.4")
def purge_recent(today: dt.date) -> Finding:
    """The newest finished purge run ended within PURGE_MAX_AGE_DAYS."""
    run = PurgeRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    if run is None or run.finished_at is None:
        return Finding(
            False,
            "the purge never ran (`platekeeper serve` runs it daily; `platekeeper purge` now)",
        )
    age = _days_since(run.finished_at, today)
    ran = (
        f"the purge last ran {_ago(age)} ({_day(run.finished_at)}): "
        f"{_count(run.reads_deleted, 'read')}, {_count(run.images_deleted, 'image')} purged"
    )
    if age > PURGE_MAX_AGE_DAYS:
        return Finding(False, f"{ran}; it is due daily")
    return Finding(True, ran)


@obligation(
    "training_current",
    "Every active user trained within the year",
    "438.7, 438.3(d)",
)
def training_current(today: dt.date) -> Finding:
    """Every active account with a role has current training, as the access gate judges it."""
    users = set(
        User.objects.filter(is_active=True, groups__name__in=[role.value for role in Role])
        .values_list("username", flat=True)
        .distinct()
    )
    # Training that ends today still counts (the gate agrees): only missing or lapsed is listed.
    lacking = sorted(
        (
            due
            for due in training_due(within_days=0, today=today)
            if due.username in users and (due.expires_on is None or due.expires_on < today)
        ),
        key=attrgetter("username"),
    )
    if not users:
        return Finding(True, "no active user has a role, so no one can reach ALPR data")
    if not lacking:
        return Finding(True, f"all {_count(len(users), 'active user')} have current training")
    named = ", ".join(f"{due.username} ({_lapse(due)})" for due in lacking)
    verb = "lacks" if len(lacking) == 1 else "lack"
    return Finding(False, f"{_count(len(lacking), 'active user')} {verb} current training: {named}")


def _lapse(due: TrainingDue) -> str:
    return "none on record" if due.expires_on is None else f"lapsed {due.expires_on:%Y-%m-%d}"


@obligation("audits_on_schedule", "ALPR system audits conducted on schedule", "438.5(c)")
def audits_on_schedule(today: dt.date) -> Finding:
    """An auditor ran an audit report within the interval set with the officials."""
    every = ProgramOfficials.current().audit_every_days
    due = f"one is due every {_count(every, 'day')}"
    last = latest_event("audit.report")
    if last is None:
        return Finding(False, f"no audit report was ever run; {due}")
    age = _days_since(last.occurred_at, today)
    ran = f"last audit report {_ago(age)} ({_day(last.occurred_at)}, by {last.username})"
    return Finding(age <= every, f"{ran}; {due}")


@obligation(
    "audit_chain_intact",
    "Record of every access kept unaltered",
    "438.5(a); Civil Code §1798.90.52",
)
def audit_chain_intact(today: dt.date) -> Finding:
    """The hash-chained audit log and its checkpoints verify end to end."""
    result = verify_chain()
    checked = _count(result.events_checked, "event")
    if not result.ok:
        return Finding(
            False,
            f"broken at event #{result.broken_event_id}: {result.problem} ({checked} checked)",
        )
    return Finding(
        True, f"{checked} and {_count(result.checkpoints_checked, 'checkpoint')} verified"
    )


@obligation(
    "audit_key_apart",
    "Key of the audit log kept apart from the database it protects",
    "438.5(a); Civil Code §1798.90.52",
)
def audit_key_apart(today: dt.date) -> Finding:
    """Whoever can copy the database must not also hold the key that signs the audit log."""
    problem = audit_key_problem()
    if problem:
        return Finding(False, problem)
    if os.environ.get("PLATEKEEPER_AUDIT_KEY"):
        return Finding(True, "the key is given by PLATEKEEPER_AUDIT_KEY, not stored on disk")
    return Finding(True, f"the key file {audit_key_file()} is kept apart from the database")


@obligation(
    "sharing_lawful",
    "ALPR data shared only with California law-enforcement or prosecutorial agencies, "
    "under approved agreements",
    "438.6, 438.9; Civil Code §1798.90.55(b)",
)
def sharing_lawful(today: dt.date) -> Finding:
    """No agreement with a non-public or out-of-state body, and no drift from what was approved."""
    findings = sharing_findings()
    partners = partners_in_effect(today)
    state = (
        f"sharing is {'on' if sharing_enabled() else 'off'}; "
        f"{_count(len(partners), 'agreement partner')} in effect"
        + (f" ({', '.join(partners)})" if partners else "")
    )
    if findings:
        return Finding(False, f"{state}; {'; '.join(findings)}")
    return Finding(True, f"{state}; the effective sharing state matches the approved agreements")


@obligation(
    "records_requests_on_time",
    "Records requests answered within the CPRA deadline",
    "438.9; Gov. Code §7922.535",
)
def records_requests_on_time(today: dt.date) -> Finding:
    """Every request of the last year was decided by its due date (10 days, or 24 extended)."""
    late = late_requests(today)
    if not late:
        return Finding(True, "no request of the last year is or was answered late")
    named = ", ".join(f"{row.number} (due {row.due_on:%Y-%m-%d}, {_answered(row)})" for row in late)
    return Finding(False, f"{_count(len(late), 'request')} late: {named}")


def _answered(row: RecordsRequest) -> str:
    return f"decided {_day(row.decided_at)}" if row.decided_at else "still open"


@obligation(
    "no_prohibited_purpose",
    "No access sought for a purpose the law forbids (immigration enforcement, reproductive "
    "health care lawful in California, First Amendment activity)",
    "438.3, 438.5(b); Gov. Code §7284.6; Penal Code §13778.2",
)
def no_prohibited_purpose(today: dt.date) -> Finding:
    """Such an access is refused by the gate; each attempt still fails this line for the audit
    interval after it, a flag for the Auditor to take up with the person who asked."""
    every = ProgramOfficials.current().audit_every_days
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=every), dt.time()))
    attempts = refusals_by_reason(since).get(PROHIBITED, 0)
    window = f"in the last {_count(every, 'day')}"
    if attempts:
        return Finding(
            False,
            f"{_count(attempts, 'access')} refused for a prohibited purpose {window}; "
            "see the audit report 'prohibited_purpose'",
        )
    return Finding(True, f"no access was sought for a prohibited purpose {window}")


@obligation(
    "case_number_format",
    "Case numbers stated with each access have the department's format",
    "438.5(b)",
)
def case_number_format(today: dt.date) -> Finding:
    """A format is set, so the gate refuses a case number that cannot be one (`x`)."""
    row = CaseNumberFormat.current()
    if not row.pattern:
        return Finding(
            False,
            "no case-number format is set, so any text passes as a case number (set one with "
            "`platekeeper settings case-number-format REGEX --example NUMBER`)",
        )
    return Finding(
        True,
        f"case numbers must match {row.pattern} (e.g. {row.example}); set {_day(row.updated_at)} "
        f"by {row.updated_by}",
    )


@obligation(
    "samples_reviewed",
    "Sampled data accesses reviewed by the Auditor",
    "438.5(c)",
)
def samples_reviewed(today: dt.date) -> Finding:
    """An audit is a sample looked at: every access drawn before the current audit interval has
    a review (the Auditor had a whole interval for it); the current interval's progress is shown.
    """
    every = ProgramOfficials.current().audit_every_days
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=every), dt.time()))
    progress = review_progress(since)
    current = (
        f"{progress.reviewed} of {_accesses(progress.drawn)} sampled in the last "
        f"{_count(every, 'day')} reviewed"
    )
    overdue = unreviewed_before(since)
    if overdue:
        return Finding(
            False,
            f"{current}; {_accesses(overdue)} sampled before {since:%Y-%m-%d} still "
            "unreviewed (see /audit/samples?unreviewed=1)",
        )
    return Finding(True, f"{current}; none sampled earlier awaits a review")


def _accesses(number: int) -> str:
    return f"{number} access{'' if number == 1 else 'es'}"


#: The report, in the order it is shown. Append a new check here.
CHECKS: list[Check] = [
    policy_posted,
    officials_named,
    retention_minimum,
    purge_recent,
    training_current,
    audits_on_schedule,
    audit_chain_intact,
    audit_key_apart,
    sharing_lawful,
    records_requests_on_time,
    no_prohibited_purpose,
    case_number_format,
    samples_reviewed,
]

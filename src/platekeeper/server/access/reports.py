"""The Auditor's reports over the audit log (Policy 438.5(c)), each exportable as CSV.

Every report covers whole local days (settings.TIME_ZONE), filters the indexed `occurred_at`
column in SQL, and reads only the columns it shows: `record_ids` can be long and is never loaded.
Running a report is itself recorded in the audit log, in the same transaction as its query.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import (
    Coalesce,
    ExtractHour,
    ExtractIsoWeekDay,
    ExtractMinute,
    TruncDate,
)
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.plates import InvalidPlate, normalize_plate
from platekeeper.server.access.gate import ADMINISTRATIVE, Gated, Requester, run_gated
from platekeeper.server.access.models import AuditEvent, Outcome, Purpose
from platekeeper.server.access.prohibited import REASON as PROHIBITED
from platekeeper.server.access.roles import Permission
from platekeeper.server.cases.models import Case
from platekeeper.server.cases.queries import cases_by_number
from platekeeper.server.common import labels
from platekeeper.server.reviews.actions import keep_drawn_sample
from platekeeper.server.reviews.models import Review
from platekeeper.server.reviews.queries import latest_reviews

#: Actions that disclose ALPR data; everything else (logins, user changes, reports) is not.
DATA_ACTION_PREFIXES = ("reads.", "images.", "alerts.", "exports.")

DEFAULT_BUSINESS_HOURS = "07:00-19:00"

#: The most-queried plates report lists at most this many plates.
TOP_PLATES_LIMIT = 100

REPORT_KINDS: dict[str, str] = {
    "searches_per_user_day": "Data accesses per user per day",
    "by_purpose": "Data accesses by purpose",
    "without_case_number": "Data accesses without a case number",
    "denied": "Denied attempts",
    "prohibited_purpose": "Accesses refused for a prohibited purpose",
    "after_hours": "Data accesses outside business hours",
    "top_plates": "Most-queried plates",
    "sample": "Random sample of data accesses to review (kept on the review worklist)",
    "unknown_case_numbers": "Data accesses under a case not in the register, or not open then",
}


class ReportError(PlatekeeperError, ValueError):
    """A report argument is unusable; the message names it."""


#: Columns that hold codes, and the kind of words (`common.labels`) people read for them.
LABELLED_COLUMNS = {
    "action": "action",
    "outcome": "outcome",
    "purpose": "purpose",
    "channel": "channel",
}


@dataclass(frozen=True)
class Report:
    """A finished report: its rows match `columns`; times in rows are local, with their offset.

    `rows` keep the codes the log stores (what a program compares); `in_words` is what a page,
    the terminal and the CSV file show."""

    kind: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple]
    start: dt.date
    end: dt.date

    def in_words(self, *, separators: bool = False) -> tuple[tuple[str, ...], list[tuple]]:
        """Columns and rows with codes as words and a sample's query as text; with
        `separators`, counts written `41,890` (for a page or a terminal, not a spreadsheet).
        A `label` column beside its code is dropped: the code's column now holds the words."""
        keep = [i for i, name in enumerate(self.columns) if name != "label"]
        rows = [
            tuple(_in_words(self.columns[i], row[i], separators=separators) for i in keep)
            for row in self.rows
        ]
        return tuple(self.columns[i] for i in keep), rows


@dataclass(frozen=True)
class _Range:
    """The report's local days as the UTC instants [since, until) that bound `occurred_at`."""

    since: dt.datetime
    until: dt.datetime
    zone: dt.tzinfo


def build_report(
    kind: str,
    *,
    requester: Requester,
    start: dt.date,
    end: dt.date,
    sample_size: int = 20,
    seed: int | None = None,
) -> Report:
    """Run the report `kind` over the local days start..end (both included) and audit the run.

    Audit data is read through the gate like ALPR data (the view-audit permission, account,
    training); no purpose is asked. `seed` makes the `sample` report reproducible. A `sample`
    run's audit event names the accesses it drew, and in the same transaction they join the
    Auditor's review worklist (`reviews.actions.keep_drawn_sample`).
    """

    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ReportError(f"kind: {kind!r} is not a report (one of {', '.join(REPORT_KINDS)})")
    if start > end:
        raise ReportError(f"start: {start:%Y-%m-%d} is after end {end:%Y-%m-%d}")
    if sample_size < 1:
        raise ReportError(f"sample_size: must be at least 1, not {sample_size}")
    zone = timezone.get_current_timezone()
    days = _Range(
        since=dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        zone=zone,
    )
    query: dict[str, Any] = {"kind": kind, "start": start.isoformat(), "end": end.isoformat()}
    if kind == "sample":
        query |= {"sample_size": sample_size, "seed": seed}

    drawing = kind == "sample"

    def fetch() -> Gated[tuple[tuple[str, ...], list[tuple]]]:
        columns, rows = builder(days, sample_size=sample_size, seed=seed)
        drawn = [str(row[0]) for row in rows] if drawing else []
        return Gated((columns, rows), record_ids=drawn, record_count=len(rows))

    def keep(event: AuditEvent) -> None:
        keep_drawn_sample(event, start=start, end=end)

    columns, rows = run_gated(
        requester,
        permission=Permission.VIEW_AUDIT,
        justification=ADMINISTRATIVE,
        action="audit.report",
        query=query,
        fetch=fetch,
        after_audit=keep if drawing else None,
    )
    return Report(
        kind=kind, title=REPORT_KINDS[kind], columns=columns, rows=rows, start=start, end=end
    )


def report_csv(report: Report) -> str:
    """The report as CSV (RFC 4180) in words: a header row, then one line per row."""
    columns, rows = report.in_words()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _in_words(column: str, value: Any, *, separators: bool) -> Any:
    if column in LABELLED_COLUMNS:
        return labels.label(column, value)
    if column == "query" and isinstance(value, str):
        return labels.query_text(json.loads(value))
    if separators and isinstance(value, int) and column != "event id":
        return labels.number(value)
    return value


def business_hours() -> tuple[int, int]:
    """Opening and closing time as minutes after local midnight, from PLATEKEEPER_BUSINESS_HOURS."""
    text = getattr(settings, "PLATEKEEPER_BUSINESS_HOURS", DEFAULT_BUSINESS_HOURS)
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", str(text))
    if match:
        open_h, open_m, close_h, close_m = (int(part) for part in match.groups())
        opens, closes = open_h * 60 + open_m, close_h * 60 + close_m
        if open_m < 60 and close_m < 60 and 0 <= opens < closes <= 24 * 60:
            return opens, closes
    raise ImproperlyConfigured(
        f"PLATEKEEPER_BUSINESS_HOURS={text!r} is not a daytime range written HH:MM-HH:MM "
        f"with the opening before the closing, e.g. {DEFAULT_BUSINESS_HOURS!r}"
    )


# --- the reports -----------------------------------------------------------------------------

_Rows = tuple[tuple[str, ...], list[tuple]]

#: Columns of the reports that list events one by one.
_EVENT_FIELDS = (
    "id",
    "occurred_at",
    "username",
    "agency",
    "action",
    "outcome",
    "reason",
    "purpose",
    "case_number",
    "record_count",
    "channel",
    "client_address",
)
_EVENT_COLUMNS = (
    "event id",
    "time",
    "user",
    "agency",
    "action",
    "outcome",
    "reason",
    "purpose",
    "case number",
    "records",
    "channel",
    "client address",
    "on behalf of",
)
#: Where the audit event keeps on whose behalf an access was made (`gate.Justification`).
_BENEFICIARY = (KT("query__on_behalf_of__agency"), KT("query__on_behalf_of__person"))


def _events(days: _Range) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(occurred_at__gte=days.since, occurred_at__lt=days.until)


def _data_accesses(days: _Range) -> QuerySet[AuditEvent]:
    data = reduce(or_, (Q(action__startswith=prefix) for prefix in DATA_ACTION_PREFIXES))
    return _events(days).filter(data)


def _allowed_data_accesses(days: _Range) -> QuerySet[AuditEvent]:
    return _data_accesses(days).filter(outcome=Outcome.ALLOWED)


def _listed(events: QuerySet[AuditEvent], days: _Range) -> list[tuple]:
    """Events one per row, oldest first, with their time shown in local time."""
    ordered = events.order_by("occurred_at", "id")
    rows = []
    for values in ordered.values_list(*_EVENT_FIELDS, *_BENEFICIARY).iterator(2000):
        event_id, occurred_at, *rest, agency, person = values
        beneficiary = " / ".join(part for part in (agency, person) if part)
        rows.append((event_id, labels.export_time(occurred_at, sep=" "), *rest, beneficiary))
    return rows


def _per_user_day(days: _Range, **_: Any) -> _Rows:
    allowed, denied = Q(outcome=Outcome.ALLOWED), Q(outcome=Outcome.DENIED)
    groups = (
        _data_accesses(days)
        .annotate(day=TruncDate("occurred_at", tzinfo=days.zone))
        .values("day", "username", "agency")
        .annotate(
            accesses=Count("id", filter=allowed),
            records=Coalesce(Sum("record_count", filter=allowed), 0),
            refused=Count("id", filter=denied),
        )
        .order_by("day", "username", "agency")
    )
    columns = ("date", "user", "agency", "accesses", "records returned", "denied attempts")
    rows = [
        (g["day"], g["username"], g["agency"], g["accesses"], g["records"], g["refused"])
        for g in groups
    ]
    return columns, rows


def _by_purpose(days: _Range, **_: Any) -> _Rows:
    labels = dict(Purpose.objects.values_list("code", "label"))
    groups = (
        _allowed_data_accesses(days)
        .values("purpose")
        .annotate(
            accesses=Count("id"),
            users=Count("username", distinct=True),
            records=Coalesce(Sum("record_count"), 0),
        )
        .order_by("-accesses", "purpose")
    )
    columns = ("purpose", "label", "accesses", "users", "records returned")
    rows = [
        (g["purpose"], labels.get(g["purpose"], ""), g["accesses"], g["users"], g["records"])
        for g in groups
    ]
    return columns, rows


def _without_case_number(days: _Range, **_: Any) -> _Rows:
    return _EVENT_COLUMNS, _listed(_allowed_data_accesses(days).filter(case_number=""), days)


def _denied(days: _Range, **_: Any) -> _Rows:
    return _EVENT_COLUMNS, _listed(_events(days).filter(outcome=Outcome.DENIED), days)


def _prohibited_purpose(days: _Range, **_: Any) -> _Rows:
    """Refusals whose free text named a prohibited purpose (`access.prohibited`): each one a
    flag for the Auditor to follow up with the person who typed it."""
    refused = _events(days).filter(outcome=Outcome.DENIED, reason__startswith=PROHIBITED)
    return _EVENT_COLUMNS, _listed(refused, days)


def _unknown_case_numbers(days: _Range, **_: Any) -> _Rows:
    """Allowed data accesses whose case number the register (imported from the records system,
    `cases.actions.import_cases`) does not hold, or whose case was not open on the day of the
    access: a case number that means nothing, or one reused after the case closed."""
    stated = _allowed_data_accesses(days).exclude(case_number="")
    timed = stated.values_list("id", "occurred_at", "case_number").iterator(2000)
    accesses = list(timed)
    register = cases_by_number(number for _, _, number in accesses)
    findings = {}
    for event_id, occurred_at, number in accesses:
        finding = _case_finding(register.get(number), occurred_at.astimezone(days.zone).date())
        if finding:
            findings[event_id] = finding
    listed = _listed(stated.filter(id__in=list(findings)), days)
    return (*_EVENT_COLUMNS, "finding"), [(*row, findings[row[0]]) for row in listed]


def _case_finding(case: Case | None, day: dt.date) -> str:
    """Why an access on `day` does not fit its case ("" when it does)."""
    if case is None:
        return "not in the case register"
    if day < case.opened_on:
        return f"case opened {case.opened_on:%Y-%m-%d}, after the access"
    if case.closed_on is not None and day > case.closed_on:
        return f"case closed {case.closed_on:%Y-%m-%d}, before the access"
    return ""


def _after_hours(days: _Range, **_: Any) -> _Rows:
    """Data accesses, allowed or denied, on a weekend or outside the business hours of a weekday."""
    opens, closes = business_hours()
    events = (
        _data_accesses(days)
        .annotate(
            local_minute=ExtractHour("occurred_at", tzinfo=days.zone) * 60
            + ExtractMinute("occurred_at", tzinfo=days.zone),
            local_weekday=ExtractIsoWeekDay("occurred_at", tzinfo=days.zone),
        )
        .filter(Q(local_weekday__gte=6) | Q(local_minute__lt=opens) | Q(local_minute__gte=closes))
    )
    return _EVENT_COLUMNS, _listed(events, days)


def _top_plates(days: _Range, **_: Any) -> _Rows:
    """Plates named in data-access queries, most often first; denied attempts count too."""
    # The plate lives inside the query JSON, so group in Python; normalising merges spellings.
    queries: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    users: defaultdict[str, set[str]] = defaultdict(set)
    named = (
        _data_accesses(days)
        .filter(query__has_key="plate")
        .values_list(KT("query__plate"), "username", "outcome")
    )
    for text, username, outcome in named.iterator(2000):
        if not text:
            continue
        plate = _plate_key(text)
        queries[plate] += 1
        users[plate].add(username)
        if outcome == Outcome.DENIED:
            refused[plate] += 1
    ranked = sorted(queries, key=lambda plate: (-queries[plate], plate))[:TOP_PLATES_LIMIT]
    columns = ("plate", "queries", "users", "denied")
    return columns, [(p, queries[p], len(users[p]), refused[p]) for p in ranked]


def _plate_key(text: str) -> str:
    try:
        return normalize_plate(text)
    except InvalidPlate:
        return text.strip().upper()


def _sample(days: _Range, *, sample_size: int, seed: int | None) -> _Rows:
    """A uniform random sample of allowed data accesses, oldest first, with their justification
    and where the Auditor's review of each stands (an access drawn before keeps its review)."""

    candidates = _allowed_data_accesses(days).order_by("id").values_list("id", flat=True)
    ids = list(candidates.iterator(5000))
    # Not a secret: a seed must reproduce the same sample, and without one it is unpredictable
    # enough (seeded from the OS) for a review.
    chooser = random.Random(seed)  # noqa: S311
    chosen = chooser.sample(ids, min(sample_size, len(ids)))
    fields = (
        "id",
        "occurred_at",
        "username",
        "agency",
        "action",
        "purpose",
        "case_number",
        "query",
        "record_count",
        "channel",
    )
    events = list(
        AuditEvent.objects.filter(id__in=chosen).order_by("occurred_at", "id").values_list(*fields)
    )
    reviews = latest_reviews(event[0] for event in events)
    rows = [
        (
            event_id,
            labels.export_time(occurred_at, sep=" "),
            *middle,
            _query_text(query),
            records,
            channel,
            *_review_cells(reviews.get(event_id)),
        )
        for event_id, occurred_at, *middle, query, records, channel in events
    ]
    columns = (
        "event id",
        "time",
        "user",
        "agency",
        "action",
        "purpose",
        "case number",
        "query",
        "records",
        "channel",
        "review",
        "reviewed by",
        "reviewed at",
        "review note",
    )
    return columns, rows


def _review_cells(review: Review | None) -> tuple[str, str, str, str]:
    if review is None:
        return ("unreviewed", "", "", "")
    return (
        review.get_decision_display(),
        review.reviewer.get_username(),
        labels.export_time(review.reviewed_at, sep=" "),
        review.note,
    )


def _query_text(query: Any) -> str:
    return json.dumps(query, sort_keys=True, separators=(",", ":"), default=str)


_BUILDERS: dict[str, Callable[..., _Rows]] = {
    "searches_per_user_day": _per_user_day,
    "by_purpose": _by_purpose,
    "without_case_number": _without_case_number,
    "denied": _denied,
    "prohibited_purpose": _prohibited_purpose,
    "after_hours": _after_hours,
    "top_plates": _top_plates,
    "sample": _sample,
    "unknown_case_numbers": _unknown_case_numbers,
}

"""The Auditor's reports: what each one shows of the audit log, as rows and as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from platekeeper.server.access.audit import Actor, record_event, verify_chain
from platekeeper.server.access.gate import PrincipalKind, Requester
from platekeeper.server.access.models import AuditEvent, Outcome, Purpose
from platekeeper.server.access.reports import (
    REPORT_KINDS,
    Report,
    ReportError,
    build_report,
    report_csv,
)

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

PACIFIC = ZoneInfo("America/Los_Angeles")
MONDAY = dt.date(2024, 5, 6)
TUESDAY = dt.date(2024, 5, 7)
SATURDAY = dt.date(2024, 5, 11)
#: The auditor at the server's console (the gate lets the console read audit reports).
AUDITOR = Requester(channel="cli", kind=PrincipalKind.CONSOLE, name="sally")


@pytest.fixture(autouse=True)
def _pacific_time(settings):
    settings.TIME_ZONE = "America/Los_Angeles"


def at(day: dt.date, clock: str) -> dt.datetime:
    """A local wall-clock time on `day`, as the UTC instant the audit log stores."""
    local = dt.datetime.combine(day, dt.time.fromisoformat(clock), tzinfo=PACIFIC)
    return local.astimezone(dt.UTC)


def event(
    when: dt.datetime,
    *,
    user: str = "alice",
    action: str = "reads.search",
    outcome: str = Outcome.ALLOWED,
    reason: str = "",
    purpose: str = "stolen_vehicle",
    case_number: str = "24-001",
    plate: str | None = "7ABC123",
    records: int = 1,
) -> AuditEvent:
    """Record one event as if it happened at `when` (the log refuses later edits of the time)."""
    with patch("django.utils.timezone.now", return_value=when):
        return record_event(
            actor=Actor(user, agency="Piedmont PD"),
            action=action,
            outcome=outcome,
            reason=reason,
            purpose=purpose,
            case_number=case_number,
            query={"plate": plate} if plate else {},
            record_ids=[f"read-{n}" for n in range(records)],
        )


def report(kind: str, start: dt.date = MONDAY, end: dt.date | None = None, **options) -> Report:
    return build_report(kind, requester=AUDITOR, start=start, end=end or start, **options)


def column(result: Report, name: str) -> list:
    index = result.columns.index(name)
    return [row[index] for row in result.rows]


def test_accesses_are_counted_per_user_per_local_day():
    """GIVEN searches on two days, one late at night WHEN counted THEN by the local calendar day."""
    event(at(MONDAY, "09:00"), records=3)
    event(at(MONDAY, "23:30"), records=2)  # already Tuesday in UTC
    event(at(MONDAY, "10:00"), outcome=Outcome.DENIED, reason="training lapsed", records=0)
    event(at(MONDAY, "10:05"), action="login", purpose="", case_number="", plate=None)
    event(at(MONDAY, "11:00"), user="bob", action="images.view", records=1)
    event(at(TUESDAY, "08:00"), records=4)

    result = report("searches_per_user_day", MONDAY, TUESDAY)

    assert result.columns == (
        "date",
        "user",
        "agency",
        "accesses",
        "records returned",
        "denied attempts",
    )
    assert result.rows == [
        (MONDAY, "alice", "Piedmont PD", 2, 5, 1),
        (MONDAY, "bob", "Piedmont PD", 1, 1, 0),
        (TUESDAY, "alice", "Piedmont PD", 1, 4, 0),
    ]


def test_the_range_covers_whole_local_days_and_nothing_more():
    event(at(MONDAY, "00:00"), user="first")
    event(at(TUESDAY, "23:59:59"), user="last")
    event(at(MONDAY, "00:00") - dt.timedelta(seconds=1), user="too-early")
    event(at(TUESDAY + dt.timedelta(days=1), "00:00"), user="too-late")

    result = report("searches_per_user_day", MONDAY, TUESDAY)

    assert column(result, "user") == ["first", "last"]


def test_by_purpose_counts_accesses_distinct_users_and_records():
    Purpose.objects.update_or_create(code="stolen_vehicle", defaults={"label": "Stolen vehicle"})
    event(at(MONDAY, "09:00"), records=2)
    event(at(MONDAY, "09:10"), records=3)
    event(at(MONDAY, "09:20"), user="bob", records=1)
    event(at(MONDAY, "09:30"), user="bob", purpose="amber_alert", case_number="", records=7)
    event(at(MONDAY, "09:40"), user="carol", outcome=Outcome.DENIED, reason="no training")

    result = report("by_purpose")

    assert result.columns == ("purpose", "label", "accesses", "users", "records returned")
    assert result.rows[0] == ("stolen_vehicle", "Stolen vehicle", 3, 2, 6)
    assert [row[0] for row in result.rows] == ["stolen_vehicle", "amber_alert"]
    assert result.rows[1][2:] == (1, 1, 7)


def test_accesses_without_a_case_number_are_listed_one_by_one():
    exempt = event(at(MONDAY, "09:00"), purpose="amber_alert", case_number="", records=4)
    event(at(MONDAY, "09:05"))  # has a case number
    event(at(MONDAY, "09:10"), outcome=Outcome.DENIED, case_number="", reason="case_number: ...")
    event(at(MONDAY, "09:15"), action="login", purpose="", case_number="", plate=None)

    result = report("without_case_number")

    assert column(result, "event id") == [exempt.pk]
    row = dict(zip(result.columns, result.rows[0], strict=True))
    assert row["time"] == "2024-05-06 09:00:00-07:00"
    assert (row["user"], row["purpose"], row["case number"], row["records"]) == (
        "alice",
        "amber_alert",
        "",
        4,
    )


def test_every_denied_event_is_listed_with_its_reason():
    event(at(MONDAY, "08:00"))
    refused = event(
        at(MONDAY, "08:30"), outcome=Outcome.DENIED, reason="ALPR training lapsed", records=0
    )
    failed_login = event(
        at(MONDAY, "09:00"),
        user="mallory",
        action="login.failed",
        outcome=Outcome.DENIED,
        reason="wrong password",
        purpose="",
        case_number="",
        plate=None,
        records=0,
    )

    result = report("denied")

    assert column(result, "event id") == [refused.pk, failed_login.pk]
    assert column(result, "reason") == ["ALPR training lapsed", "wrong password"]
    assert column(result, "action") == ["reads.search", "login.failed"]


def test_after_hours_lists_early_late_and_weekend_accesses():
    early = event(at(MONDAY, "06:59"))
    event(at(MONDAY, "07:00"))
    event(at(MONDAY, "18:59:59"))
    late = event(at(MONDAY, "19:00"))
    refused = event(at(MONDAY, "23:30"), outcome=Outcome.DENIED, reason="no training")
    weekend = event(at(SATURDAY, "12:00"))
    event(at(MONDAY, "03:00"), action="login", purpose="", case_number="", plate=None)

    result = report("after_hours", MONDAY, SATURDAY)

    assert column(result, "event id") == [early.pk, late.pk, refused.pk, weekend.pk]
    assert column(result, "outcome") == ["allowed", "allowed", "denied", "allowed"]


def test_business_hours_come_from_settings(settings):
    settings.PLATEKEEPER_BUSINESS_HOURS = "08:30-17:00"
    event(at(MONDAY, "07:30"))
    event(at(MONDAY, "08:30"))
    event(at(MONDAY, "16:59"))
    event(at(MONDAY, "17:00"))

    result = report("after_hours")

    assert column(result, "time") == ["2024-05-06 07:30:00-07:00", "2024-05-06 17:00:00-07:00"]


@pytest.mark.parametrize("hours", ["9-5", "19:00-07:00", "07:00-25:00", "07:60-19:00", ""])
def test_unusable_business_hours_say_how_to_write_them(settings, hours):
    settings.PLATEKEEPER_BUSINESS_HOURS = hours

    with pytest.raises(ImproperlyConfigured, match=r"PLATEKEEPER_BUSINESS_HOURS.*HH:MM-HH:MM"):
        report("after_hours")


def test_top_plates_merges_spellings_and_counts_distinct_users():
    event(at(MONDAY, "09:00"), plate="7ABC123")
    event(at(MONDAY, "09:10"), plate="7abc 123")
    event(at(MONDAY, "09:20"), user="bob", plate="7ABC123")
    event(at(MONDAY, "09:30"), user="carol", plate="7ABC123", outcome=Outcome.DENIED)
    event(at(MONDAY, "09:40"), plate="8XYZ456")
    event(at(MONDAY, "09:50"), action="images.view", plate=None)

    result = report("top_plates")

    assert result.columns == ("plate", "queries", "users", "denied")
    assert result.rows == [("7ABC123", 4, 3, 1), ("8XYZ456", 1, 1, 0)]


def test_a_sample_holds_allowed_accesses_with_their_justification():
    for minute in range(30):
        event(at(MONDAY, f"10:{minute:02d}"), case_number=f"24-{minute:03d}")
    event(at(MONDAY, "11:00"), outcome=Outcome.DENIED, reason="no training")
    event(at(MONDAY, "11:05"), action="login", purpose="", case_number="", plate=None)

    result = report("sample", sample_size=5, seed=438)

    assert len(result.rows) == 5
    assert len(set(column(result, "event id"))) == 5
    assert set(column(result, "purpose")) == {"stolen_vehicle"}
    assert all(case.startswith("24-") for case in column(result, "case number"))
    assert set(column(result, "query")) == {'{"plate":"7ABC123"}'}
    assert column(result, "time") == sorted(column(result, "time"))


def test_a_seeded_sample_is_reproducible_and_a_small_log_is_sampled_whole():
    for minute in range(30):
        event(at(MONDAY, f"10:{minute:02d}"))

    first = report("sample", sample_size=5, seed=7)
    again = report("sample", sample_size=5, seed=7)
    whole = report("sample", sample_size=100, seed=7)

    assert first.rows == again.rows
    assert len(whole.rows) == 30


def test_csv_has_a_header_and_quotes_what_needs_quoting():
    event(
        at(MONDAY, "08:30"),
        outcome=Outcome.DENIED,
        reason='purpose: "x" is not known, pick another',
        records=0,
    )
    result = report("denied")

    text = report_csv(result)

    assert text.startswith("event id,time,user,agency,action,outcome,reason,")
    assert text.endswith("\r\n")
    assert '"purpose: ""x"" is not known, pick another"' in text
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == result.columns
    columns, in_words = result.in_words()
    assert rows == [[str(value) for value in row] for row in in_words]
    assert dict(zip(columns, rows[0], strict=True))["outcome"] == "Denied"  # words, not codes


def test_an_empty_report_is_just_its_header():
    result = report("by_purpose")

    assert report_csv(result) == "purpose,accesses,users,records returned\r\n"


@pytest.mark.parametrize("kind", list(REPORT_KINDS))
def test_every_report_runs_and_is_itself_audited(kind):
    """GIVEN one exempt access after hours WHEN any report runs THEN it shows it and is audited."""
    event(at(MONDAY, "20:00"), purpose="amber_alert", case_number="")

    result = build_report(kind, requester=AUDITOR, start=MONDAY, end=TUESDAY, seed=1)

    assert (result.kind, result.title) == (kind, REPORT_KINDS[kind])
    assert (result.start, result.end) == (MONDAY, TUESDAY)
    unlisted = ("denied", "prohibited_purpose", "unknown_case_numbers")  # no case number stated
    assert len(result.rows) == (0 if kind in unlisted else 1)
    audit = AuditEvent.objects.get(action="audit.report")
    assert audit.username == "sally"
    assert audit.channel == "cli"
    assert audit.query["kind"] == kind
    assert (audit.query["start"], audit.query["end"]) == ("2024-05-06", "2024-05-07")
    assert audit.record_count == len(result.rows)
    assert verify_chain().ok


def test_running_a_report_is_not_counted_as_a_data_access():
    event(at(MONDAY, "09:00"))
    with patch("django.utils.timezone.now", return_value=at(MONDAY, "09:30")):
        report("searches_per_user_day")

    result = report("searches_per_user_day")

    assert column(result, "accesses") == [1]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"kind": "everything"}, "kind"),
        ({"start": TUESDAY, "end": MONDAY}, "start"),
        ({"kind": "sample", "sample_size": 0}, "sample_size"),
    ],
)
def test_bad_arguments_are_refused_by_name_and_nothing_is_recorded(arguments, named):
    options = {"kind": "denied", "start": MONDAY, "end": MONDAY} | arguments
    kind = options.pop("kind")

    with pytest.raises(ReportError, match=f"^{named}:") as refused:
        build_report(kind, requester=AUDITOR, **options)

    assert isinstance(refused.value, ValueError)
    assert not AuditEvent.objects.filter(action="audit.report").exists()

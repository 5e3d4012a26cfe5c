"""Changes to the case-number format and the case register: each asked of the gate as an
administrative change and audited in the same transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, change, record_change
from platekeeper.server.access.roles import Permission
from platekeeper.server.cases.format import case_number_problem, pattern_problem
from platekeeper.server.cases.models import (
    CASE_NUMBER_LENGTH,
    OFFENSE_LENGTH,
    Case,
    CaseNumberFormat,
)

#: The columns the records system's export must have, in any order.
COLUMNS = ("case_number", "opened_on", "closed_on", "offense")
#: At most this many bad rows are named in one refusal.
MAX_PROBLEMS_SHOWN = 5


class CaseError(PlatekeeperError, ValueError):
    """A format or a register file is unusable; the message names the line and the field."""


@change(Permission.MANAGE_SETTINGS, "settings.case_number_format")
def set_case_number_format(pattern: str, *, example: str, requester: Requester) -> None:
    """Make `pattern` the format every stated case number must match in full; `example` (which
    must match it) is shown to whoever types a malformed one."""
    problem = pattern_problem(pattern, example)
    if problem:
        raise CaseError(problem)
    row = CaseNumberFormat.current()
    row.pattern, row.example = pattern, example
    row.updated_at, row.updated_by = timezone.now(), requester.username
    row.save()
    record_change(
        requester,
        ADMINISTRATIVE,
        action="settings.case_number_format",
        query={"pattern": pattern, "example": example},
    )


@dataclass(frozen=True)
class CaseRow:
    """One valid line of a register file."""

    case_number: str
    opened_on: dt.date
    closed_on: dt.date | None
    offense: str


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


def parse_cases(text: str) -> list[CaseRow]:
    """The rows of a records-system export (CSV with a header `case_number,opened_on,closed_on,
    offense`), or CaseError naming each bad line and field: nothing is imported from a file
    with a bad row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or ())]
    if missing:
        raise CaseError(
            f"line 1: the header lacks {', '.join(missing)} (needs {','.join(COLUMNS)})"
        )
    rows: list[CaseRow] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        try:
            row = _case_row(record)
        except CaseError as error:
            problems.append(f"line {line}: {error}")
            continue
        first = seen.get(row.case_number)
        if first is not None:
            problems.append(f"line {line}: case_number: {row.case_number!r} is on line {first} too")
            continue
        seen[row.case_number] = line
        rows.append(row)
    if problems:
        more = len(problems) - MAX_PROBLEMS_SHOWN
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN]) + (
            f"; and {more} more" if more > 0 else ""
        )
        raise CaseError(f"nothing imported: {shown}")
    return rows


def _case_row(record: dict[str, str | None]) -> CaseRow:
    def field(name: str) -> str:
        return (record.get(name) or "").strip()

    case_number = field("case_number")
    if not case_number:
        raise CaseError("case_number: is empty")
    if len(case_number) > CASE_NUMBER_LENGTH:
        raise CaseError(f"case_number: longer than {CASE_NUMBER_LENGTH} characters")
    problem = case_number_problem(case_number)
    if problem:
        raise CaseError(problem)
    opened_on = _date("opened_on", field("opened_on"))
    if opened_on is None:
        raise CaseError("opened_on: is empty")
    closed_on = _date("closed_on", field("closed_on"))
    if closed_on is not None and closed_on < opened_on:
        raise CaseError(f"closed_on: {closed_on} is before opened_on {opened_on}")
    offense = field("offense")
    if len(offense) > OFFENSE_LENGTH:
        raise CaseError(f"offense: longer than {OFFENSE_LENGTH} characters")
    return CaseRow(case_number, opened_on, closed_on, offense)


def _date(name: str, text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CaseError(f"{name}: {text!r} is not a date written YYYY-MM-DD") from None


@change(Permission.MANAGE_SETTINGS, "cases.import")
def import_cases(source: str, rows: Sequence[CaseRow], *, requester: Requester) -> ImportSummary:
    """Add the cases of `rows` to the register and update those already there (a re-import of
    the same file changes nothing), in one transaction with its audit event."""
    now = timezone.now()
    known = Case.objects.in_bulk([row.case_number for row in rows], field_name="case_number")
    new, changed = [], []
    for row in rows:
        case = known.get(row.case_number)
        if case is None:
            new.append(Case(**asdict(row), imported_at=now))
        elif (case.opened_on, case.closed_on, case.offense) != (
            row.opened_on,
            row.closed_on,
            row.offense,
        ):
            case.opened_on, case.closed_on, case.offense = row.opened_on, row.closed_on, row.offense
            case.imported_at = now
            changed.append(case)
    Case.objects.bulk_create(new, batch_size=1000)
    Case.objects.bulk_update(
        changed, ["opened_on", "closed_on", "offense", "imported_at"], batch_size=1000
    )
    summary = ImportSummary(len(new), len(changed), len(rows) - len(new) - len(changed))
    record_change(
        requester,
        ADMINISTRATIVE,
        action="cases.import",
        query={"file": source, **asdict(summary)},
        record_count=len(rows),
    )
    return summary

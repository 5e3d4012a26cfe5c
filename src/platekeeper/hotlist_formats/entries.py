"""What every hotlist format's parser yields, and the helpers they share. Standard library only.

Each parser yields `ParsedEntry` for good rows and `InvalidRow` (line number and reason) for bad
ones, so an import can report exactly which lines it refused.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

from platekeeper.plates import InvalidPlate, normalize_pattern

CSV_FIELDS = (
    "plate",
    "state",
    "reason",
    "description",
    "case_number",
    "ncic_number",
    "expires_at",
    "plate_type",
)


class HotlistFormatError(ValueError):
    """The file as a whole cannot be read (e.g. no `plate` column); the message says why."""


@dataclass(frozen=True)
class ParsedEntry:
    line: int
    plate: str
    plate_normalized: str
    state: str = ""
    reason: str = ""
    description: str = ""
    case_number: str = ""
    ncic_number: str = ""
    plate_type: str = ""
    expires_at: dt.datetime | None = None
    entered_at: dt.datetime | None = None


@dataclass(frozen=True)
class InvalidRow:
    line: int
    reason: str


@dataclass(frozen=True)
class RefusedRow:
    """A readable entry the department may not act on (e.g. an NCIC immigration violator record,
    Gov. Code §7284.6): never imported, and counted apart from unreadable lines so the import
    result and its audit event show what the law kept out. `category` names what the line is
    (e.g. `NCIC file I, Immigration Violator File`), `reason` the law that keeps it out."""

    line: int
    category: str
    reason: str

    def describe(self) -> str:
        return f"{self.category}: {self.reason}"


def entry_from_values(line: int, values: Mapping[str, str]) -> ParsedEntry | InvalidRow:
    try:
        normalized = normalize_pattern(values.get("plate", ""))
    except InvalidPlate as error:
        return InvalidRow(line, f"plate: {error}")
    expires = None
    if values.get("expires_at"):
        try:
            expires = dt.datetime.fromisoformat(values["expires_at"])
        except ValueError:
            return InvalidRow(line, f"expires_at: {values['expires_at']!r} is not an ISO date")
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.UTC)
    state = values.get("state", "").upper()
    if len(state) > 8:
        return InvalidRow(line, f"state: {state!r} is too long")
    return ParsedEntry(
        line=line,
        plate=values["plate"],
        plate_normalized=normalized,
        state=state,
        reason=values.get("reason", "")[:200],
        description=values.get("description", "")[:200],
        case_number=values.get("case_number", "")[:60],
        ncic_number=values.get("ncic_number", "")[:20],
        plate_type=values.get("plate_type", "")[:20],
        expires_at=expires,
    )


def open_text(data: bytes) -> io.StringIO:
    """Decode an uploaded file (UTF-8 with or without BOM, else Latin-1) for the parsers."""
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError:
        return io.StringIO(data.decode("latin-1"), newline="")

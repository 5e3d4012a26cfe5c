"""Reading hotlist files: plain CSV with a header, and an NCIC-style extract. Standard library only.

Each parser yields `ParsedEntry` for good rows and `InvalidRow` (line number and reason) for bad
ones, so an import can report exactly which lines it refused.

The NCIC-style format is pipe-delimited, one entry a line, with fields named after NCIC's
field codes, in this order: `LIC` (plate), `LIS` (plate state), `LIY` (registration year), `LIT`
(plate type), `NIC` (NCIC number), `ORI` (entering agency), `FIL` (file: V stolen vehicle,
L stolen plate, W wanted person, M missing person, F felony vehicle), `DOE` (date of entry,
YYYYMMDD). The FBI's LPR extract and state extracts carry these elements; their exact layouts
are distributed to agencies only, so a state's own layout is best imported as CSV with a
column mapping.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
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
NCIC_FIELDS = ("LIC", "LIS", "LIY", "LIT", "NIC", "ORI", "FIL", "DOE")
NCIC_FILES = {
    "V": "Stolen vehicle",
    "L": "Stolen plate",
    "W": "Wanted person",
    "M": "Missing person",
    "F": "Felony vehicle",
}


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


def parse_mapping(text: str) -> dict[str, str]:
    """Read a column mapping written `plate=LicNo,state=St` (our name = the file's column)."""
    mapping: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in text.split(","))):
        ours, sep, theirs = (part.strip() for part in pair.partition("="))
        if not sep or not ours or not theirs:
            raise HotlistFormatError(f"mapping: {pair!r} is not ours=theirs")
        if ours not in CSV_FIELDS:
            raise HotlistFormatError(
                f"mapping: {ours!r} is not one of ours: {', '.join(CSV_FIELDS)}"
            )
        mapping[ours] = theirs
    return mapping


def parse_csv(
    lines: Iterable[str], mapping: Mapping[str, str] | None = None
) -> Iterator[ParsedEntry | InvalidRow]:
    """Parse a CSV with a header row.

    `mapping` names the file's column for each of ours, e.g. {"plate": "LicNo"}.
    """
    reader = csv.reader(lines)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise HotlistFormatError(
            "the file is empty; a header row with a 'plate' column is required"
        ) from None
    renamed = {file_name: ours for ours, file_name in (mapping or {}).items()}
    columns = [renamed.get(name, name.lower()) for name in header]
    if "plate" not in columns:
        raise HotlistFormatError(f"no 'plate' column in the header (found: {', '.join(header)})")
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            yield InvalidRow(line, f"has {len(row)} fields, the header has {len(columns)}")
            continue
        values = {name: cell.strip() for name, cell in zip(columns, row, strict=True)}
        yield _entry(line, values)


def parse_ncic(lines: Iterable[str]) -> Iterator[ParsedEntry | InvalidRow]:
    """Parse the pipe-delimited NCIC-style extract described in the module docstring."""
    for line, text in enumerate(lines, start=1):
        text = text.rstrip("\r\n")
        if not text.strip() or text.startswith("#"):
            continue
        fields = [field.strip() for field in text.split("|")]
        if len(fields) != len(NCIC_FIELDS):
            yield InvalidRow(
                line,
                f"has {len(fields)} fields, expected {len(NCIC_FIELDS)}: " + "|".join(NCIC_FIELDS),
            )
            continue
        record = dict(zip(NCIC_FIELDS, fields, strict=True))
        entered = None
        if record["DOE"]:
            try:
                entered = dt.datetime.strptime(record["DOE"], "%Y%m%d").replace(tzinfo=dt.UTC)
            except ValueError:
                yield InvalidRow(line, f"DOE: {record['DOE']!r} is not a date YYYYMMDD")
                continue
        values = {
            "plate": record["LIC"],
            "state": record["LIS"],
            "plate_type": record["LIT"],
            "ncic_number": record["NIC"],
            "reason": NCIC_FILES.get(record["FIL"], record["FIL"]),
        }
        parsed = _entry(line, values)
        if isinstance(parsed, ParsedEntry):
            parsed = ParsedEntry(**{**parsed.__dict__, "entered_at": entered})
        yield parsed


def _entry(line: int, values: Mapping[str, str]) -> ParsedEntry | InvalidRow:
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

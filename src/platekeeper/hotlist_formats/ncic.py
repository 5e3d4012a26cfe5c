"""An NCIC-style extract: pipe-delimited, one entry a line, fields named by NCIC field codes.

The fields, in this order: `LIC` (plate), `LIS` (plate state), `LIY` (registration year), `LIT`
(plate type), `NIC` (NCIC number), `ORI` (entering agency), `FIL` (file: V stolen vehicle,
L stolen plate, W wanted person, M missing person, F felony vehicle), `DOE` (date of entry,
YYYYMMDD). The FBI's LPR extract and state extracts carry these elements; their exact layouts
are distributed to agencies only, so a state's own layout is best imported as CSV with a
column mapping.

Records of the Immigration Violator File (`FIL` I or IVF) are refused, never imported: Gov.
Code §7284.6 forbids a California department to use its resources for immigration enforcement,
and a hotlist hit is exactly that use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping

from platekeeper.hotlist_formats.entries import (
    InvalidRow,
    ParsedEntry,
    RefusedRow,
    entry_from_values,
)
from platekeeper.hotlist_formats.registry import HotlistFormat, ParsedRow, register_format

NCIC_FIELDS = ("LIC", "LIS", "LIY", "LIT", "NIC", "ORI", "FIL", "DOE")
NCIC_FILES = {
    "V": "Stolen vehicle",
    "L": "Stolen plate",
    "W": "Wanted person",
    "M": "Missing person",
    "F": "Felony vehicle",
}
#: NCIC files the department may not act on, by the codes an extract may carry for them.
REFUSED_FILES = {
    "I": "Immigration Violator File",
    "IVF": "Immigration Violator File",
}
#: Why a record of a refused file is left out (shown in the import result and its audit event).
REFUSED_REASON = (
    "the department may not act on it: Gov. Code §7284.6 forbids using department resources "
    "for immigration enforcement"
)


def parse_ncic(
    lines: Iterable[str], mapping: Mapping[str, str] | None = None
) -> Iterator[ParsedRow]:
    """Parse the extract described in the module docstring; its fields are fixed, so `mapping`
    is accepted (every format is called alike) and ignored."""
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
        refused_file = REFUSED_FILES.get(record["FIL"].upper())
        if refused_file:
            yield RefusedRow(line, f"NCIC file {record['FIL']}, {refused_file}", REFUSED_REASON)
            continue
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
        parsed = entry_from_values(line, values)
        if isinstance(parsed, ParsedEntry):
            parsed = ParsedEntry(**{**parsed.__dict__, "entered_at": entered})
        yield parsed


register_format(
    HotlistFormat(
        name="ncic",
        label="NCIC-style extract (LIC|LIS|…)",
        parse=parse_ncic,
        takes_mapping=False,
    )
)

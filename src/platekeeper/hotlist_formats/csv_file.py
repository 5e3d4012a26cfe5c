"""Plain CSV with a header row naming our fields (or the file's, renamed by a column mapping)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping

from platekeeper.hotlist_formats.entries import (
    CSV_FIELDS,
    HotlistFormatError,
    InvalidRow,
    ParsedEntry,
    entry_from_values,
)
from platekeeper.hotlist_formats.registry import HotlistFormat, register_format


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
        yield entry_from_values(line, values)


register_format(
    HotlistFormat(
        name="csv",
        label="CSV with a header row",
        parse=parse_csv,
        takes_mapping=True,
    )
)

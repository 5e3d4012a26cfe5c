"""The registry of hotlist file formats: each format module registers one `HotlistFormat`.

The name is what the API's `format` field, the web import's choice, the CLI's `--format` and
the drop folder's file suffix (`<hotlist>.<name>`) take, so a new format is one module (and its
tests): every entry point lists the formats from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from platekeeper.hotlist_formats.entries import (
    HotlistFormatError,
    InvalidRow,
    ParsedEntry,
    RefusedRow,
)

#: What a parser yields for each line: an entry, an unreadable line, or one it must not import.
ParsedRow = ParsedEntry | InvalidRow | RefusedRow
Parser = Callable[[Iterable[str], Mapping[str, str] | None], Iterator[ParsedRow]]


@dataclass(frozen=True)
class HotlistFormat:
    """A hotlist file format.

    `parse(lines, mapping)` yields one `ParsedEntry`, `InvalidRow` or `RefusedRow` (an entry
    the department may not act on) per line and raises
    `HotlistFormatError` when the file as a whole cannot be read. `takes_mapping` says whether
    a column mapping (`plate=LicNo,...`) means anything to it; formats with fixed fields ignore it.
    """

    name: str
    label: str
    parse: Parser
    takes_mapping: bool = False


_FORMATS: dict[str, HotlistFormat] = {}


def register_format(hotlist_format: HotlistFormat) -> HotlistFormat:
    """Add a format; its name must be new and lower case (it is also a file suffix)."""
    name = hotlist_format.name
    if name in _FORMATS:
        raise ValueError(f"hotlist format {name!r} is registered already")
    if not (name.isascii() and name.isalnum() and name.islower()):
        raise ValueError(f"hotlist format name {name!r} must be lower-case letters and digits")
    _FORMATS[name] = hotlist_format
    return hotlist_format


def get_format(name: str) -> HotlistFormat | None:
    return _FORMATS.get(name)


def require_format(name: str) -> HotlistFormat:
    """The format named `name`, or `HotlistFormatError` naming the field and the choices."""
    hotlist_format = _FORMATS.get(name)
    if hotlist_format is None:
        raise HotlistFormatError(f"format: must be {' or '.join(format_names())}")
    return hotlist_format


def hotlist_formats() -> list[HotlistFormat]:
    """Every registered format, by name."""
    return [_FORMATS[name] for name in sorted(_FORMATS)]


def format_names() -> list[str]:
    return [hotlist_format.name for hotlist_format in hotlist_formats()]

"""Reading hotlist files, one module per format, registered by name. Standard library only.

    from platekeeper.hotlist_formats import get_format, open_text
    rows = get_format("ncic").parse(open_text(data), None)

The API, the web import form, the drop folder and the CLI all offer `format_names()`, so a new
format is one module that calls `register_format` (imported below) and its tests.
"""

from __future__ import annotations

# The built-in formats register themselves on import.
from platekeeper.hotlist_formats.csv_file import parse_csv, parse_mapping
from platekeeper.hotlist_formats.entries import (
    CSV_FIELDS,
    HotlistFormatError,
    InvalidRow,
    ParsedEntry,
    RefusedRow,
    open_text,
)
from platekeeper.hotlist_formats.ncic import parse_ncic
from platekeeper.hotlist_formats.registry import (
    HotlistFormat,
    ParsedRow,
    format_names,
    get_format,
    hotlist_formats,
    register_format,
    require_format,
)

__all__ = [
    "CSV_FIELDS",
    "HotlistFormat",
    "HotlistFormatError",
    "InvalidRow",
    "ParsedEntry",
    "ParsedRow",
    "RefusedRow",
    "format_names",
    "get_format",
    "hotlist_formats",
    "open_text",
    "parse_csv",
    "parse_mapping",
    "parse_ncic",
    "register_format",
    "require_format",
]

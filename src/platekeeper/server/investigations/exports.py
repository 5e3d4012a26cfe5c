"""Result files of an investigation: CSV for spreadsheets, GeoJSON for mapping tools.

Pure formatting of rows a gated query already returned; `queries.export` audits the access.
Times are written in the server's zone with their UTC offset (`labels.export_time`), the time
the screen showed, still one exact instant for a program.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from django.utils import timezone

from platekeeper.server.common import labels
from platekeeper.server.reads.queries import ReadSummary

COLUMNS = (
    "id",
    "plate",
    "state",
    "captured_at",
    "latitude",
    "longitude",
    "camera",
    "confidence",
    "note",
)
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json"}


@dataclass(frozen=True)
class Row:
    """One read in an export, with what the analysis says about it (scene numbers, role)."""

    read: ReadSummary
    note: str


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    body: bytes
    rows: int


def build(rows: list[Row], fmt: str, *, title: str) -> Document:
    body = _csv(rows) if fmt == "csv" else _geojson(rows, title)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    return Document(f"{title}-{stamp}.{fmt}", CONTENT_TYPES[fmt], body.encode(), len(rows))


def _values(row: Row) -> dict[str, object]:
    read = row.read
    return {
        "id": read.id,
        "plate": read.plate,
        "state": read.state,
        "captured_at": labels.export_time(read.captured_at),
        "latitude": read.latitude,
        "longitude": read.longitude,
        "camera": read.camera,
        "confidence": read.confidence,
        "note": row.note,
    }


def _csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        # A cell starting with = + - @ would run as a formula in a spreadsheet; plates and
        # camera names never need one.
        writer.writerow(
            {k: _no_formula(v) if isinstance(v, str) else v for k, v in _values(row).items()}
        )
    return buffer.getvalue()


def _no_formula(text: str) -> str:
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def _geojson(rows: list[Row], title: str) -> str:
    features = [
        {
            "type": "Feature",
            "id": row.read.id,
            "geometry": {
                "type": "Point",
                "coordinates": [row.read.longitude, row.read.latitude],
            },
            "properties": {k: v for k, v in _values(row).items() if k not in {"id"}},
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "name": title, "features": features})

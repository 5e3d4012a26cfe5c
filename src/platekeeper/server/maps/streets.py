"""The street layer drawn under every map: PLATEKEEPER_MAP_FILE, else the demo town's streets.

A station's network often reaches no tile server, and asking a third party for tiles would tell
it where investigators look. So the server hands out a street layer of its own: a department
puts a GeoJSON extract of its area (streets as LineStrings, e.g. exported from OpenStreetMap)
in PLATEKEEPER_MAP_FILE; the demo draws the demo town's streets.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from platekeeper.errors import PlatekeeperError

#: GeoJSON types a street layer may be made of.
_GEOJSON_TYPES = frozenset(
    {"FeatureCollection", "Feature", "LineString", "MultiLineString", "GeometryCollection"}
)


class MapFileError(PlatekeeperError, ValueError):
    """PLATEKEEPER_MAP_FILE cannot be served; the message says why and how to fix it."""


@dataclass(frozen=True)
class StreetLayer:
    """The layer's GeoJSON as served, and where it came from (for the page and the log)."""

    body: bytes
    source: str


def street_layer() -> StreetLayer | None:
    """The configured map file's streets, the demo town's, or None when there are neither."""
    configured = os.environ.get("PLATEKEEPER_MAP_FILE", "").strip()
    if configured:
        path = Path(configured).expanduser()
        try:
            stat = path.stat()
        except OSError as error:
            raise MapFileError(
                f"PLATEKEEPER_MAP_FILE: cannot read {path}: {error.strerror}"
            ) from None
        return _map_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    from platekeeper.server.demo_seed import is_demo_town

    if is_demo_town():
        return _demo_streets()
    return None


@functools.lru_cache(maxsize=2)
def _map_file(path: str, mtime_ns: int, size: int) -> StreetLayer:
    """The file's bytes once checked to be GeoJSON; read again only when the file changes."""
    body = Path(path).read_bytes()
    try:
        document = json.loads(body)
    except ValueError as error:
        raise MapFileError(f"PLATEKEEPER_MAP_FILE: {path} is not JSON ({error})") from None
    kind = document.get("type") if isinstance(document, dict) else None
    if kind not in _GEOJSON_TYPES:
        raise MapFileError(
            f"PLATEKEEPER_MAP_FILE: {path} is not a GeoJSON street layer (its type is "
            f"{kind!r}; expected a FeatureCollection of LineStrings)"
        )
    return StreetLayer(body=body, source=path)


@functools.cache
def _demo_streets() -> StreetLayer:
    from platekeeper.demo.town import streets_geojson

    return StreetLayer(body=json.dumps(streets_geojson()).encode(), source="the demo town")

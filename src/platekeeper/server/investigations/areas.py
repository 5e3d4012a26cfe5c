"""Places an investigator asks about: a circle or a polygon, each turned into grid cells.

The database finds reads through the (geocell, captured_at) index, so an area is first the
cells it touches (a coarse, indexed filter) and then an exact test per read in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from platekeeper.geo import CELL_DEGREES, EARTH_RADIUS_M, cells_within, distance_m, geocell
from platekeeper.server.reads.queries import QueryError

MAX_RADIUS_M = 5_000
MAX_VERTICES = 100
#: A polygon's bounding box may touch at most this many 0.01 degree cells (about 22 x 18 km
#: at 38 degrees north); a wider area is a dragnet, not a canvass.
MAX_CELLS = 400
_CELLS_PER_ROW = round(360 / CELL_DEGREES)


@dataclass(frozen=True)
class Bounds:
    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_m: float

    def __post_init__(self) -> None:
        _check_point(self.latitude, self.longitude, "lat")
        if not 1 <= self.radius_m <= MAX_RADIUS_M:
            raise QueryError(f"radius_m: must be between 1 and {MAX_RADIUS_M}")

    def cells(self) -> list[int]:
        return cells_within(self.latitude, self.longitude, self.radius_m)

    def bounds(self) -> Bounds:
        d_lat = math.degrees(self.radius_m / EARTH_RADIUS_M)
        d_lon = d_lat / max(math.cos(math.radians(self.latitude)), 1e-6)
        return Bounds(
            self.latitude - d_lat,
            self.latitude + d_lat,
            self.longitude - d_lon,
            self.longitude + d_lon,
        )

    def contains(self, latitude: float, longitude: float) -> bool:
        return distance_m(self.latitude, self.longitude, latitude, longitude) <= self.radius_m

    def describe(self) -> dict[str, Any]:
        """The area as the audit record and the map keep it."""
        return {"circle": [self.latitude, self.longitude, self.radius_m]}


@dataclass(frozen=True)
class Polygon:
    """A simple polygon of (latitude, longitude) vertices; it closes by itself."""

    vertices: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not 3 <= len(self.vertices) <= MAX_VERTICES:
            raise QueryError(f"polygon: needs between 3 and {MAX_VERTICES} points")
        for lat, lon in self.vertices:
            _check_point(lat, lon, "polygon")
        box = self.bounds()
        if box.max_lon - box.min_lon > 180:
            raise QueryError("polygon: may not cross the 180th meridian")
        if len(self.cells()) > MAX_CELLS:
            raise QueryError("polygon: is too large for a canvass; draw a smaller area")

    def bounds(self) -> Bounds:
        lats = [lat for lat, _ in self.vertices]
        lons = [lon for _, lon in self.vertices]
        return Bounds(min(lats), max(lats), min(lons), max(lons))

    def cells(self) -> list[int]:
        box = self.bounds()
        low, high = geocell(box.min_lat, box.min_lon), geocell(box.max_lat, box.max_lon)
        rows = range(low // _CELLS_PER_ROW, high // _CELLS_PER_ROW + 1)
        columns = range(low % _CELLS_PER_ROW, high % _CELLS_PER_ROW + 1)
        return [row * _CELLS_PER_ROW + column for row in rows for column in columns]

    def contains(self, latitude: float, longitude: float) -> bool:
        """Even-odd ray casting in the lat/lon plane (exact enough for town-sized areas)."""
        inside = False
        points = self.vertices
        j = len(points) - 1
        for i, (lat_i, lon_i) in enumerate(points):
            lat_j, lon_j = points[j]
            if (lat_i > latitude) != (lat_j > latitude):
                crossing = lon_i + (latitude - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
                if longitude < crossing:
                    inside = not inside
            j = i
        return inside

    def describe(self) -> dict[str, Any]:
        return {"polygon": [list(vertex) for vertex in self.vertices]}


Area = Circle | Polygon


def parse_polygon(text: str) -> Polygon:
    """A polygon from `lat,lon;lat,lon;...` (the form the API and the web map send)."""
    vertices = []
    for pair in text.strip().strip(";").split(";"):
        try:
            lat, lon = (float(part) for part in pair.split(","))
        except ValueError:
            raise QueryError(
                f"polygon: {pair.strip()!r} is not 'latitude,longitude' "
                "(write points as lat,lon;lat,lon;...)"
            ) from None
        vertices.append((lat, lon))
    return Polygon(tuple(vertices))


def area_from(
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    radius_m: float | None = None,
    polygon: str | None = None,
) -> Area:
    """The area named by either a centre and radius or a polygon, refusing a mix of both."""
    circle_given = [v is not None for v in (latitude, longitude, radius_m)]
    if polygon:
        if any(circle_given):
            raise QueryError("polygon: give either lat, lon and radius_m or a polygon, not both")
        return parse_polygon(polygon)
    if not all(circle_given):
        raise QueryError("lat: a canvass needs lat, lon and radius_m (or a polygon)")
    return Circle(float(latitude), float(longitude), float(radius_m))  # type: ignore[arg-type]


def _check_point(latitude: float, longitude: float, name: str) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or math.isnan(latitude + longitude):
        raise QueryError(f"{name}: {latitude}, {longitude} is not a place on Earth")

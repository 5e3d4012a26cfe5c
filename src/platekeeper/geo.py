"""Geography helpers shared by ingestion and place searches. Standard library only.

Everything here is safe at the poles and across the 180th meridian: a circle that reaches a
pole spans every longitude, columns wrap around, and the number of cells an area touches is
counted before any list of them is built, so a caller can refuse a huge area at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Grid cells are 0.01 degree square (about 1.1 km north-south). A place-and-time search turns
#: its circle into the few cells it touches, so the database walks one small index range per
#: cell instead of scanning every read in the time window.
CELL_DEGREES = 0.01
_CELLS_PER_ROW = round(360 / CELL_DEGREES)
#: Rows run from 0 (the south pole) to this one, which holds only latitude 90 itself.
_LAST_ROW = round(180 / CELL_DEGREES)
EARTH_RADIUS_M = 6_371_008.8


def geocell(latitude: float, longitude: float) -> int:
    """Return the grid cell number that holds the point."""
    row = math.floor((latitude + 90) / CELL_DEGREES)
    column = math.floor((longitude + 180) / CELL_DEGREES) % _CELLS_PER_ROW
    return row * _CELLS_PER_ROW + column


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class TooManyCells(ValueError):
    """An area touches more grid cells than the caller allows; `count` says how many."""

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"touches {count:,} grid cells; at most {limit:,} are allowed")
        self.count = count
        self.limit = limit


@dataclass(frozen=True)
class CellSpan:
    """A block of grid rows and columns. Columns may run past either end of a row (an area
    across the 180th meridian); they wrap when cells are listed."""

    rows: range
    columns: range

    def count(self) -> int:
        return len(self.rows) * len(self.columns)

    def cells(self, max_cells: int | None = None) -> list[int]:
        """Every cell of the block; TooManyCells first when there are more than `max_cells`."""
        count = self.count()
        if max_cells is not None and count > max_cells:
            raise TooManyCells(count, max_cells)
        return [
            row * _CELLS_PER_ROW + column % _CELLS_PER_ROW
            for row in self.rows
            for column in self.columns
        ]


@dataclass(frozen=True)
class LatLonBox:
    """The latitudes and longitudes an area can reach. `min_lon` may be below -180 or
    `max_lon` above 180 (the box crosses the 180th meridian); `all_longitudes` when it
    reaches a pole."""

    min_lat: float
    max_lat: float
    min_lon: float
    max_lon: float

    @property
    def all_longitudes(self) -> bool:
        return self.max_lon - self.min_lon >= 360

    def span(self) -> CellSpan:
        """The grid cells the box touches."""
        rows = range(_row(self.min_lat), _row(self.max_lat) + 1)
        if self.all_longitudes:
            return CellSpan(rows, range(_CELLS_PER_ROW))
        first = math.floor((self.min_lon + 180) / CELL_DEGREES)
        last = math.floor((self.max_lon + 180) / CELL_DEGREES)
        return CellSpan(rows, range(first, min(last, first + _CELLS_PER_ROW - 1) + 1))


def circle_box(latitude: float, longitude: float, radius_m: float) -> LatLonBox:
    """The box around a circle on the sphere. Its widest longitude is at the latitude where
    meridians touch the circle, asin(sin r / cos lat); when the circle reaches a pole it
    holds every longitude."""
    angle = radius_m / EARTH_RADIUS_M
    d_lat = math.degrees(angle)
    south, north = max(-90.0, latitude - d_lat), min(90.0, latitude + d_lat)
    cos_lat = math.cos(math.radians(latitude))
    if latitude - d_lat <= -90 or latitude + d_lat >= 90 or math.sin(angle) >= cos_lat:
        return LatLonBox(south, north, -180.0, 180.0)
    d_lon = math.degrees(math.asin(math.sin(angle) / cos_lat))
    return LatLonBox(south, north, longitude - d_lon, longitude + d_lon)


def cells_within(
    latitude: float, longitude: float, radius_m: float, *, max_cells: int | None = None
) -> list[int]:
    """Return every grid cell that a circle of `radius_m` around the point touches.

    With `max_cells`, a circle touching more raises TooManyCells before any list is built.
    """
    return circle_box(latitude, longitude, radius_m).span().cells(max_cells)


def _row(latitude: float) -> int:
    return min(_LAST_ROW, max(0, math.floor((latitude + 90) / CELL_DEGREES)))

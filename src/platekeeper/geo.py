"""Geography helpers shared by ingestion and place searches. Standard library only."""

from __future__ import annotations

import math

#: Grid cells are 0.01 degree square (about 1.1 km north-south). A place-and-time search turns
#: its circle into the few cells it touches, so the database walks one small index range per
#: cell instead of scanning every read in the time window.
CELL_DEGREES = 0.01
_CELLS_PER_ROW = round(360 / CELL_DEGREES)
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
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def cells_within(latitude: float, longitude: float, radius_m: float) -> list[int]:
    """Return every grid cell that a circle of `radius_m` around the point touches."""
    d_lat = math.degrees(radius_m / EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(latitude)), 1e-6)
    rows = range(
        math.floor((latitude - d_lat + 90) / CELL_DEGREES),
        math.floor((latitude + d_lat + 90) / CELL_DEGREES) + 1,
    )
    columns = range(
        math.floor((longitude - d_lon + 180) / CELL_DEGREES),
        math.floor((longitude + d_lon + 180) / CELL_DEGREES) + 1,
    )
    return [row * _CELLS_PER_ROW + column % _CELLS_PER_ROW for row in rows for column in columns]

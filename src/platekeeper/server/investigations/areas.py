"""Places an investigator asks about: a circle or a polygon, each turned into grid cells.

The database finds reads through the (geocell, captured_at) index, so an area is first the
cells it touches (a coarse, indexed filter) and then an exact test per read in Python. The
cost of an area is bounded before anything runs: at most MAX_VERTICES points and MAX_CELLS
cells, counted without listing them. Areas near a pole and across the 180th meridian work:
longitudes wrap, and a circle that reaches a pole spans every longitude (and so too many
cells, which is refused with the bound named).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from platekeeper.geo import LatLonBox, TooManyCells, circle_box, distance_m
from platekeeper.server.reads.queries import QueryError

MAX_RADIUS_M = 5_000
MAX_VERTICES = 100
#: An area may touch at most this many 0.01 degree cells (a 5 km circle touches about 120 at
#: 38 degrees north; a polygon of about 22 x 18 km there reaches the bound); a wider area is
#: a dragnet, not a canvass. A 5 km circle beyond about 76 degrees of latitude touches more.
MAX_CELLS = 400


def box_filter(box: LatLonBox) -> Q:
    """The reads inside the box, as a filter; two longitude ranges across the 180th meridian."""
    inside = Q(latitude__gte=box.min_lat, latitude__lte=box.max_lat)
    if box.all_longitudes:
        return inside
    if box.min_lon < -180:
        return inside & (Q(longitude__gte=box.min_lon + 360) | Q(longitude__lte=box.max_lon))
    if box.max_lon > 180:
        return inside & (Q(longitude__gte=box.min_lon) | Q(longitude__lte=box.max_lon - 360))
    return inside & Q(longitude__gte=box.min_lon, longitude__lte=box.max_lon)


@dataclass(frozen=True)
class Circle:
    latitude: float
    longitude: float
    radius_m: float

    def __post_init__(self) -> None:
        _check_point(self.latitude, self.longitude, "lat")
        if not 1 <= self.radius_m <= MAX_RADIUS_M:
            raise QueryError(f"radius_m: must be between 1 and {MAX_RADIUS_M}")
        count = self.bounds().span().count()
        if count > MAX_CELLS:
            raise QueryError(
                f"radius_m: a {self.radius_m:g} m circle at latitude {self.latitude:g} "
                f"{TooManyCells(count, MAX_CELLS)} for a canvass; draw a smaller circle"
            )

    def cells(self) -> list[int]:
        return self.bounds().span().cells(MAX_CELLS)

    def bounds(self) -> LatLonBox:
        return circle_box(self.latitude, self.longitude, self.radius_m)

    def contains(self, latitude: float, longitude: float) -> bool:
        return distance_m(self.latitude, self.longitude, latitude, longitude) <= self.radius_m

    def describe(self) -> dict[str, Any]:
        """The area as the audit record and the map keep it."""
        return {"circle": [self.latitude, self.longitude, self.radius_m]}


@dataclass(frozen=True)
class Polygon:
    """A simple polygon of (latitude, longitude) vertices; it closes by itself.

    When its points are more than 180 degrees of longitude apart it is taken to cross the
    180th meridian (the short way round), as a polygon drawn around Fiji or Chukotka does.
    """

    vertices: tuple[tuple[float, float], ...]

    def __post_init__(self) -> None:
        if not 3 <= len(self.vertices) <= MAX_VERTICES:
            raise QueryError(f"polygon: needs between 3 and {MAX_VERTICES} points")
        for lat, lon in self.vertices:
            _check_point(lat, lon, "polygon")
        count = self.bounds().span().count()
        if count > MAX_CELLS:
            raise QueryError(
                f"polygon: is too large for a canvass: it {TooManyCells(count, MAX_CELLS)}; "
                "draw a smaller area"
            )

    @property
    def _crosses_antimeridian(self) -> bool:
        lons = [lon for _, lon in self.vertices]
        return max(lons) - min(lons) > 180

    def _east(self, longitude: float) -> float:
        """The longitude in this polygon's frame: across the 180th meridian, 0..360."""
        return longitude + 360 if self._crosses_antimeridian and longitude < 0 else longitude

    def bounds(self) -> LatLonBox:
        lats = [lat for lat, _ in self.vertices]
        lons = [self._east(lon) for _, lon in self.vertices]
        return LatLonBox(min(lats), max(lats), min(lons), max(lons))

    def cells(self) -> list[int]:
        return self.bounds().span().cells(MAX_CELLS)

    def contains(self, latitude: float, longitude: float) -> bool:
        """Even-odd ray casting in the lat/lon plane (exact enough for town-sized areas)."""
        longitude = self._east(longitude)
        inside = False
        points = [(lat, self._east(lon)) for lat, lon in self.vertices]
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
    pairs = text.strip().strip(";").split(";", MAX_VERTICES + 1)
    if len(pairs) > MAX_VERTICES:
        raise QueryError(f"polygon: needs between 3 and {MAX_VERTICES} points")
    vertices = []
    for pair in pairs:
        try:
            lat, lon = (float(part) for part in pair.split(","))
        except ValueError:
            raise QueryError(
                f"polygon: {pair.strip()[:40]!r} is not 'latitude,longitude' "
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
    if latitude is None or longitude is None or radius_m is None:
        raise QueryError("lat: a canvass needs lat, lon and radius_m (or a polygon)")
    return Circle(float(latitude), float(longitude), float(radius_m))


def _check_point(latitude: float, longitude: float, name: str) -> None:
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # NaN fails both
        raise QueryError(f"{name}: {latitude}, {longitude} is not a place on Earth")

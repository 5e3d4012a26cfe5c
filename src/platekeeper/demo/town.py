"""The demo town's geography: Piedmont, California, its streets, entrance cameras and patrol routes.

Piedmont is a 4.4 km² city surrounded by Oakland, so every car that enters or leaves crosses a
short list of streets: exactly where a small agency puts fixed plate readers. Street shapes are
approximated by a few real-ish points each; they only need to look right on a map.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
from typing import Literal
from zoneinfo import ZoneInfo

from platekeeper.geo import distance_m

#: Piedmont City Hall, the centre of the demo map.
CENTRE: tuple[float, float] = (37.8244, -122.2317)

#: A box around Piedmont with a little of Oakland at its edges, where the entrance cameras stand.
BOUNDS: tuple[tuple[float, float], tuple[float, float]] = (
    (37.8100, -122.2500),
    (37.8380, -122.2120),
)

#: Traffic follows local clocks; timestamps leave this package in UTC.
LOCAL_TIME_ZONE = ZoneInfo("America/Los_Angeles")

#: The police department on Highland Ave, where patrol cars start and end their shifts.
POLICE_STATION: tuple[float, float] = (37.8238, -122.2318)

_METRES_PER_DEGREE_LATITUDE = 111_320.0
_METRES_PER_DEGREE_LONGITUDE = _METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(CENTRE[0]))

LatLon = tuple[float, float]


@dataclasses.dataclass(frozen=True)
class DemoCamera:
    """A camera as the demo server registers it; `heading` is where a fixed camera looks."""

    name: str
    kind: Literal["fixed", "mobile"]
    latitude: float
    longitude: float
    heading: float | None


@dataclasses.dataclass(frozen=True)
class Street:
    """A street as a polyline, in the direction its points are listed."""

    name: str
    points: tuple[LatLon, ...]


@dataclasses.dataclass(frozen=True)
class Entrance:
    """Where a street crosses the city line; `inward` is the bearing of travel into Piedmont."""

    name: str
    point: LatLon
    inward: float
    #: How much of the town's traffic uses this entrance, relative to the others.
    weight: float


STREETS: dict[str, Street] = {
    street.name: street
    for street in (
        Street(
            "Grand Ave",
            (
                (37.8140, -122.2462),
                (37.8170, -122.2428),
                (37.8200, -122.2385),
                (37.8222, -122.2350),
                (37.8237, -122.2327),
            ),
        ),
        Street(
            "Oakland Ave",
            (
                (37.8163, -122.2468),
                (37.8200, -122.2430),
                (37.8235, -122.2395),
                (37.8262, -122.2355),
                (37.8276, -122.2342),
            ),
        ),
        Street(
            "Linda Ave",
            ((37.8232, -122.2445), (37.8215, -122.2415), (37.8200, -122.2385)),
        ),
        Street(
            "Highland Ave",
            (
                (37.8237, -122.2327),
                (37.8254, -122.2300),
                (37.8268, -122.2275),
                (37.8285, -122.2240),
                (37.8300, -122.2205),
            ),
        ),
        Street(
            "Moraga Ave",
            (
                (37.8318, -122.2425),
                (37.8310, -122.2370),
                (37.8296, -122.2322),
                (37.8310, -122.2270),
                (37.8342, -122.2208),
            ),
        ),
        Street(
            "Park Blvd",
            (
                (37.8140, -122.2300),
                (37.8170, -122.2255),
                (37.8200, -122.2210),
                (37.8232, -122.2165),
            ),
        ),
        Street(
            "Magnolia Ave",
            (
                (37.8205, -122.2357),
                (37.8240, -122.2336),
                (37.8266, -122.2321),
                (37.8296, -122.2322),
            ),
        ),
        Street(
            "Crocker Ave",
            (
                (37.8168, -122.2352),
                (37.8195, -122.2325),
                (37.8220, -122.2300),
                (37.8254, -122.2300),
            ),
        ),
        Street(
            "Wildwood Ave",
            (
                (37.8170, -122.2428),
                (37.8166, -122.2362),
                (37.8160, -122.2305),
                (37.8152, -122.2272),
            ),
        ),
        Street(
            "Sea View Ave",
            ((37.8268, -122.2275), (37.8250, -122.2238), (37.8238, -122.2196)),
        ),
        Street(
            "Blair Ave",
            ((37.8285, -122.2240), (37.8310, -122.2215), (37.8333, -122.2186)),
        ),
        Street(
            "Hampton Rd",
            ((37.8254, -122.2300), (37.8228, -122.2262), (37.8212, -122.2228)),
        ),
    )
}


def _entrance(street: str, *, at_start: bool, weight: float, label: str = "") -> Entrance:
    points = STREETS[street].points
    outer, inner = (points[0], points[1]) if at_start else (points[-1], points[-2])
    name = f"{street} ({label})" if label else street
    return Entrance(name=name, point=outer, inward=bearing(outer, inner), weight=weight)


def bearing(start: LatLon, end: LatLon) -> float:
    """Compass bearing in degrees (0 = north, 90 = east) from `start` to `end`."""
    north = (end[0] - start[0]) * _METRES_PER_DEGREE_LATITUDE
    east = (end[1] - start[1]) * _METRES_PER_DEGREE_LONGITUDE
    return math.degrees(math.atan2(east, north)) % 360.0


def offset(point: LatLon, heading: float, metres: float) -> LatLon:
    """The point `metres` away from `point` along compass `heading`."""
    radians = math.radians(heading)
    return (
        point[0] + metres * math.cos(radians) / _METRES_PER_DEGREE_LATITUDE,
        point[1] + metres * math.sin(radians) / _METRES_PER_DEGREE_LONGITUDE,
    )


def is_in_piedmont_area(latitude: float, longitude: float) -> bool:
    """True when a point lies inside `BOUNDS`."""
    (south, west), (north, east) = BOUNDS
    return south <= latitude <= north and west <= longitude <= east


#: Busiest first: the order in which fixed cameras are put up when fewer are asked for.
ENTRANCES: tuple[Entrance, ...] = (
    _entrance("Grand Ave", at_start=True, weight=10.0),
    _entrance("Moraga Ave", at_start=True, weight=8.0, label="west"),
    _entrance("Oakland Ave", at_start=True, weight=8.0),
    _entrance("Park Blvd", at_start=True, weight=6.0, label="south"),
    _entrance("Moraga Ave", at_start=False, weight=6.0, label="east"),
    _entrance("Park Blvd", at_start=False, weight=4.0, label="north"),
    _entrance("Highland Ave", at_start=False, weight=4.0, label="east"),
    _entrance("Linda Ave", at_start=True, weight=3.0),
    _entrance("Crocker Ave", at_start=True, weight=3.0),
    _entrance("Wildwood Ave", at_start=False, weight=2.0),
    _entrance("Blair Ave", at_start=False, weight=2.0),
    _entrance("Sea View Ave", at_start=False, weight=1.5),
    _entrance("Hampton Rd", at_start=False, weight=1.0),
)


@dataclasses.dataclass(frozen=True)
class CameraSite:
    """A fixed camera and the entrance and direction of travel whose plates it reads."""

    camera: DemoCamera
    entrance: Entrance
    direction: Literal["inbound", "outbound"]


def camera_sites(count: int) -> tuple[CameraSite, ...]:
    """The first `count` fixed cameras: every entrance's inbound camera, then outbound ones.

    An inbound camera stands just inside the line looking out at arriving cars; an outbound
    one stands beside it looking in at leaving cars, as paired ALPR posts do.
    """
    available = 2 * len(ENTRANCES)
    if not 0 <= count <= available:
        raise ValueError(f"the demo town has room for 0 to {available} fixed cameras, not {count}")
    sites: list[CameraSite] = []
    for direction in ("inbound", "outbound"):
        for entrance in ENTRANCES:
            if len(sites) == count:
                return tuple(sites)
            inside = offset(entrance.point, entrance.inward, 40.0)
            # Kerbside: traffic drives on the right, so each camera stands right of its lane.
            side = 90.0 if direction == "inbound" else -90.0
            latitude, longitude = offset(inside, (entrance.inward + side) % 360.0, 8.0)
            facing = entrance.inward + (180.0 if direction == "inbound" else 0.0)
            camera = DemoCamera(
                name=f"{entrance.name} {direction}",
                kind="fixed",
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                heading=round(facing % 360.0, 1),
            )
            sites.append(CameraSite(camera=camera, entrance=entrance, direction=direction))
    return tuple(sites)


class PatrolRoute:
    """A closed loop along streets that a patrol car drives at a steady speed during its shift."""

    def __init__(self, name: str, legs: tuple[tuple[str, bool], ...]) -> None:
        """`legs` are street names each with True to drive it backwards; the loop closes itself."""
        points: list[LatLon] = []
        for street, backwards in legs:
            street_points = STREETS[street].points
            points.extend(reversed(street_points) if backwards else street_points)
        points.append(points[0])
        self.name = name
        self.points: tuple[LatLon, ...] = tuple(points)
        cumulative = [0.0]
        for start, end in itertools.pairwise(points):
            cumulative.append(cumulative[-1] + distance_m(*start, *end))
        self._cumulative = tuple(cumulative)

    @property
    def length_m(self) -> float:
        """The length of one lap in metres."""
        return self._cumulative[-1]

    def position_at(self, distance: float) -> tuple[float, float, float]:
        """Latitude, longitude and heading of the car `distance` metres into its laps."""
        along = distance % self.length_m
        index = max(1, bisect.bisect_right(self._cumulative, along))
        index = min(index, len(self.points) - 1)
        start, end = self.points[index - 1], self.points[index]
        segment = self._cumulative[index] - self._cumulative[index - 1]
        fraction = 0.0 if segment == 0 else (along - self._cumulative[index - 1]) / segment
        latitude = start[0] + (end[0] - start[0]) * fraction
        longitude = start[1] + (end[1] - start[1]) * fraction
        return latitude, longitude, bearing(start, end)


PATROL_ROUTES: tuple[PatrolRoute, ...] = (
    PatrolRoute(
        "Patrol 1",
        (
            ("Grand Ave", False),
            ("Highland Ave", False),
            ("Park Blvd", True),
            ("Wildwood Ave", True),
        ),
    ),
    PatrolRoute(
        "Patrol 2",
        (
            ("Oakland Ave", False),
            ("Moraga Ave", False),
            ("Blair Ave", True),
            ("Highland Ave", True),
            ("Magnolia Ave", True),
            ("Linda Ave", True),
        ),
    ),
    PatrolRoute(
        "Patrol 3",
        (("Crocker Ave", False), ("Sea View Ave", False), ("Hampton Rd", True)),
    ),
)


def patrol_cameras(count: int) -> tuple[tuple[DemoCamera, PatrolRoute], ...]:
    """The first `count` patrol cars, each a mobile camera registered at the police station."""
    if not 0 <= count <= len(PATROL_ROUTES):
        raise ValueError(f"the demo town has 0 to {len(PATROL_ROUTES)} patrol cars, not {count}")
    return tuple(
        (
            DemoCamera(
                name=route.name,
                kind="mobile",
                latitude=POLICE_STATION[0],
                longitude=POLICE_STATION[1],
                heading=None,
            ),
            route,
        )
        for route in PATROL_ROUTES[:count]
    )


#: Side streets no camera or patrol uses: drawn on the map only, so the town reads as a town.
SIDE_STREETS: tuple[Street, ...] = (
    Street("Mountain Ave", ((37.8200, -122.2210), (37.8226, -122.2248), (37.8250, -122.2238))),
    Street("Hillside Ave", ((37.8222, -122.2350), (37.8210, -122.2330), (37.8195, -122.2325))),
    Street("Sheridan Ave", ((37.8262, -122.2355), (37.8280, -122.2372), (37.8310, -122.2370))),
    Street("Ronada Ave", ((37.8235, -122.2395), (37.8250, -122.2420), (37.8262, -122.2440))),
    Street("Vista Ave", ((37.8240, -122.2336), (37.8230, -122.2375), (37.8215, -122.2415))),
    Street("Bonita Ave", ((37.8266, -122.2321), (37.8282, -122.2298), (37.8296, -122.2322))),
    Street("Lakeview Ave", ((37.8200, -122.2430), (37.8185, -122.2400), (37.8170, -122.2428))),
    Street("Sandringham Rd", ((37.8310, -122.2270), (37.8292, -122.2250), (37.8285, -122.2240))),
    Street("St James Dr", ((37.8228, -122.2262), (37.8245, -122.2270), (37.8254, -122.2300))),
    Street("Estates Dr", ((37.8342, -122.2208), (37.8355, -122.2175), (37.8368, -122.2140))),
    Street("Scenic Ave", ((37.8160, -122.2305), (37.8185, -122.2285), (37.8220, -122.2300))),
)


def streets_geojson() -> dict[str, object]:
    """The town's streets as a GeoJSON FeatureCollection of named LineStrings ([lon, lat])."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": street.name},
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[longitude, latitude] for latitude, longitude in street.points],
                },
            }
            for street in (*STREETS.values(), *SIDE_STREETS)
        ],
    }

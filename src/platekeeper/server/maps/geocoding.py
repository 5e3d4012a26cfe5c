"""Typed places to coordinates, from the street layer this server already serves.

An investigator places a crime scene by clicking the map, typing coordinates, or typing where it
is: a street ("Grand Ave") or a crossing ("Grand Ave & Wildwood Ave", "Oakland Ave at Highland").
Nothing is asked of a third-party geocoder: a search for a place would tell it where
investigators look. The streets are the layer's named LineStrings (the demo town's, or
PLATEKEEPER_MAP_FILE's `name` properties); a layer carries no house numbers, so a number is
refused with a sentence saying what to type instead, never guessed.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from dataclasses import dataclass

from platekeeper.errors import PlatekeeperError
from platekeeper.geo import distance_m
from platekeeper.server.maps.streets import StreetLayer, street_layer

#: Two streets whose lines pass closer than this are taken to cross (street layers are drawn
#: with a few metres' error, and a crossing's lines may stop short of each other).
CROSSING_TOLERANCE_M = 40.0

#: How a crossing is written: "A & B", "A and B", "A at B", "A / B", "A @ B".
_CROSSING = re.compile(r"\s+(?:&|and|at|/|@)\s+|\s*[&/@]\s*", re.IGNORECASE)

#: Street-type words and their short forms, so "Grand Avenue" finds "Grand Ave".
_SHORT_FORMS = {
    "avenue": "ave",
    "av": "ave",
    "street": "st",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "way": "way",
    "highway": "hwy",
}

LatLon = tuple[float, float]
#: A layer's streets by normalised name: (the name as written, its polylines).
Streets = dict[str, tuple[str, list[list[LatLon]]]]


class AddressError(PlatekeeperError, ValueError):
    """A typed place that names nothing on this server's map; the message says what to type."""


@dataclass(frozen=True)
class Place:
    """Where a typed address lies, and how it was read (shown back to the investigator)."""

    latitude: float
    longitude: float
    label: str


def geocode(address: str) -> Place:
    """The place a street or a crossing of two streets names, on this server's street layer."""
    text = address.split(",")[0].strip()
    if not text:
        raise AddressError("type a street or a crossing, e.g. 'Grand Ave & Wildwood Ave'")
    layer = street_layer()
    if layer is None:
        raise AddressError(
            "this server has no street layer to look addresses up in (PLATEKEEPER_MAP_FILE); "
            "click the map or type the coordinates"
        )
    streets = _named_streets(layer)
    if re.match(r"\d", text):
        raise AddressError(
            f"{text!r}: this map has no house numbers; type the street, or the crossing "
            "nearest the place (e.g. 'Grand Ave & Wildwood Ave')"
        )
    names = [part for part in _CROSSING.split(text) if part.strip()]
    if len(names) == 1:
        name, lines = _street(streets, names[0])
        latitude, longitude = _middle(lines)
        return Place(latitude, longitude, name)
    if len(names) == 2:
        (first, first_lines), (second, second_lines) = (_street(streets, n) for n in names)
        crossing = _crossing(first_lines, second_lines)
        if crossing is None:
            raise AddressError(f"{first} and {second} do not cross on this map")
        return Place(crossing[0], crossing[1], f"{first} & {second}")
    raise AddressError(f"{text!r}: type one street, or two that cross")


def _key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]", " ", name.lower()).split()
    return " ".join(_SHORT_FORMS.get(word, word) for word in words)


def _street(streets: Streets, typed: str) -> tuple[str, list[list[LatLon]]]:
    """The street a typed name means: its exact name, or the one street it begins."""
    key = _key(typed)
    if key in streets:
        return streets[key]
    starting = sorted({streets[k][0] for k in streets if k.startswith(key + " ")})
    if len(starting) == 1:
        return streets[_key(starting[0])]
    if starting:
        raise AddressError(f"{typed.strip()!r} could be {' or '.join(starting)}: say which")
    raise AddressError(f"no street named {typed.strip()!r} on this map")


@functools.lru_cache(maxsize=2)
def _named_streets(layer: StreetLayer) -> Streets:
    """The layer's named lines, parsed once per layer (the demo's, or the map file's version)."""
    streets: Streets = {}
    for name, line in _lines(json.loads(layer.body)):
        streets.setdefault(_key(name), (name, []))[1].append(line)
    return streets


def _lines(node: object, name: str = "") -> list[tuple[str, list[LatLon]]]:
    """Every named (Multi)LineString of a GeoJSON document, as (name, [(lat, lon), ...])."""
    if not isinstance(node, dict):
        return []
    kind = node.get("type")
    if kind == "FeatureCollection":
        return [found for each in node.get("features") or () for found in _lines(each)]
    if kind == "Feature":
        properties = node.get("properties") or {}
        label = properties.get("name") if isinstance(properties, dict) else None
        return _lines(node.get("geometry"), label if isinstance(label, str) else "")
    if kind == "GeometryCollection":
        return [found for each in node.get("geometries") or () for found in _lines(each, name)]
    if not name:
        return []
    if kind == "LineString":
        parts = [node.get("coordinates") or []]
    elif kind == "MultiLineString":
        parts = node.get("coordinates") or []
    else:
        return []
    return [(name, [(float(p[1]), float(p[0])) for p in part]) for part in parts if len(part) >= 2]


def _middle(lines: list[list[LatLon]]) -> LatLon:
    """The point halfway along a street's longest line."""
    line = max(lines, key=_length)
    remaining = _length(line) / 2
    for start, end in itertools.pairwise(line):
        step = distance_m(*start, *end)
        if step >= remaining and step > 0:
            share = remaining / step
            return (
                start[0] + (end[0] - start[0]) * share,
                start[1] + (end[1] - start[1]) * share,
            )
        remaining -= step
    return line[-1]


def _length(line: list[LatLon]) -> float:
    return sum(distance_m(*a, *b) for a, b in itertools.pairwise(line))


def _crossing(first: list[list[LatLon]], second: list[list[LatLon]]) -> LatLon | None:
    """Where two streets cross, or where their lines come within the tolerance of each other."""
    best: tuple[float, LatLon] | None = None
    for line_a in first:
        for line_b in second:
            for a1, a2 in itertools.pairwise(line_a):
                for b1, b2 in itertools.pairwise(line_b):
                    found = _closest(a1, a2, b1, b2)
                    if best is None or found[0] < best[0]:
                        best = found
    if best is None or best[0] > CROSSING_TOLERANCE_M:
        return None
    return best[1]


def _closest(a1: LatLon, a2: LatLon, b1: LatLon, b2: LatLon) -> tuple[float, LatLon]:
    """The gap in metres between two short segments, and the point midway across it (a local
    flat projection: a town's segments are far too short for the earth's curve to matter)."""
    scale = math.cos(math.radians(a1[0]))

    def flat(point: LatLon) -> tuple[float, float]:
        return (point[1] * scale, point[0])

    def back(point: tuple[float, float]) -> LatLon:
        return (point[1], point[0] / scale)

    p, q, r, s = flat(a1), flat(a2), flat(b1), flat(b2)
    crossing = _intersection(p, q, r, s)
    if crossing is not None:
        return 0.0, back(crossing)
    candidates = [(x, _project(x, r, s)) for x in (p, q)] + [(_project(y, p, q), y) for y in (r, s)]
    x, y = min(candidates, key=lambda pair: math.dist(*pair))
    gap = distance_m(*back(x), *back(y))
    return gap, back(((x[0] + y[0]) / 2, (x[1] + y[1]) / 2))


def _intersection(
    p: tuple[float, float], q: tuple[float, float], r: tuple[float, float], s: tuple[float, float]
) -> tuple[float, float] | None:
    d1 = (q[0] - p[0], q[1] - p[1])
    d2 = (s[0] - r[0], s[1] - r[1])
    denominator = d1[0] * d2[1] - d1[1] * d2[0]
    if denominator == 0:
        return None
    t = ((r[0] - p[0]) * d2[1] - (r[1] - p[1]) * d2[0]) / denominator
    u = ((r[0] - p[0]) * d1[1] - (r[1] - p[1]) * d1[0]) / denominator
    if 0 <= t <= 1 and 0 <= u <= 1:
        return (p[0] + t * d1[0], p[1] + t * d1[1])
    return None


def _project(
    point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]
) -> tuple[float, float]:
    """The point of the segment start-end nearest `point`."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = dx * dx + dy * dy
    if length == 0:
        return start
    t = max(0.0, min(1.0, ((point[0] - start[0]) * dx + (point[1] - start[1]) * dy) / length))
    return (start[0] + t * dx, start[1] + t * dy)

"""Grid cells and distances that place searches rely on."""

import math

import pytest

from platekeeper.geo import (
    EARTH_RADIUS_M,
    TooManyCells,
    cells_within,
    circle_box,
    distance_m,
    geocell,
)


def test_a_circle_covers_the_cells_of_every_point_inside_it():
    center = (37.8244, -122.2317)
    cells = set(cells_within(*center, 800))
    for d_lat, d_lon in [(0.007, 0), (-0.007, 0), (0, 0.009), (0, -0.009), (0.005, 0.006)]:
        point = (center[0] + d_lat, center[1] + d_lon)
        if distance_m(*center, *point) <= 800:
            assert geocell(*point) in cells


def test_distance_between_two_known_points():
    # Piedmont City Hall to Oakland City Hall is about 4.3 km.
    assert 4000 < distance_m(37.8244, -122.2317, 37.8053, -122.2725) < 4400


def test_a_circle_is_counted_in_cells_before_any_are_listed():
    """The canvass at the pole once listed 89,932,040 cells; now its size is known at once."""
    assert circle_box(90, 0, 5000).span().count() == 6 * 36_000
    with pytest.raises(TooManyCells, match="touches 216,000 grid cells; at most 400"):
        cells_within(90, 0, 5000, max_cells=400)


@pytest.mark.parametrize(("latitude", "longitude"), [(89.995, 0), (-89.995, 120), (0, 179.999)])
def test_every_point_inside_a_circle_is_in_its_cells_near_a_pole_or_the_180th_meridian(
    latitude, longitude
):
    cells = set(cells_within(latitude, longitude, 1000))
    for bearing in range(0, 360, 15):
        for fraction in (0.3, 0.99):
            point = _destination(latitude, longitude, bearing, 1000 * fraction)
            assert geocell(*point) in cells, (bearing, fraction, point)


def _destination(lat: float, lon: float, bearing: float, metres: float) -> tuple[float, float]:
    """The point `metres` from (lat, lon) along `bearing` degrees (great circle)."""
    angle, theta = metres / EARTH_RADIUS_M, math.radians(bearing)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    phi2 = math.asin(
        math.sin(phi1) * math.cos(angle) + math.cos(phi1) * math.sin(angle) * math.cos(theta)
    )
    lambda2 = lambda1 + math.atan2(
        math.sin(theta) * math.sin(angle) * math.cos(phi1),
        math.cos(angle) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lambda2) + 540) % 360 - 180

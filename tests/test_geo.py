"""Grid cells and distances that place searches rely on."""

from platekeeper.geo import cells_within, distance_m, geocell


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

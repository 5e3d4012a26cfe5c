"""Canvass, multiple scenes, convoy and sightings as an investigator uses them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from platekeeper.geo import distance_m, geocell
from platekeeper.server.access.gate import AccessDenied, Justification, Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.investigations import queries
from platekeeper.server.investigations.areas import Circle, Polygon, parse_polygon
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import QueryError
from tests.support.factories import CameraFactory, read_item
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

CASE = Justification(purpose="crime_scene_canvass", case_number="24-0311")
#: The scene: a shooting on Grand Avenue at 22:00 UTC three days ago.
SCENE = (37.8251, -122.2324)
T0 = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).replace(
    hour=22, minute=0, second=0, microsecond=0
)
ONE_HOUR = dt.timedelta(hours=1)


def at(minutes: float) -> str:
    return (T0 + dt.timedelta(minutes=minutes)).isoformat()


def north_of(metres: float, lat: float = SCENE[0], lon: float = SCENE[1]) -> dict:
    """The read item fields for a place `metres` north of a point."""
    return {"latitude": lat + metres / 111_195, "longitude": lon}


def east_of(metres: float) -> dict:
    return {"latitude": SCENE[0], "longitude": SCENE[1] + metres / (111_195 * 0.7903)}


def store(camera, *reads: tuple[str, float, dict]) -> list[str]:
    """Record (plate, minutes after T0, place) reads at a camera; return their ids."""
    result = record_reads(
        camera, [read_item(plate=p, captured_at=at(m), **place) for p, m, place in reads]
    )
    assert not result.rejected, result.rejected
    return [str(i) for i in result.stored_ids]


def events(action: str = "reads.") -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith=action).order_by("id"))


@pytest.fixture
def ines() -> Requester:
    return Requester(make_user("ines", Role.INVESTIGATOR), channel="api")


def window(area=None, before=ONE_HOUR, after=ONE_HOUR) -> queries.Window:
    return queries.Window(area or Circle(*SCENE, 500), T0 - before, T0 + after)


# --- canvass -------------------------------------------------------------------------------


def test_canvass_finds_the_plates_inside_the_circle_and_the_window(ines):
    """GIVEN reads near and far from the scene, before and during the hour around it
    WHEN canvassing 500 m for +-1 h THEN only the reads inside both are found, newest first."""
    camera = CameraFactory()
    store(
        camera,
        ("1NEAR11", 10, north_of(100)),
        ("2EDGE22", -30, east_of(480)),
        ("3FAR333", 5, north_of(800)),  # in the window, outside the circle
        ("4EARLY4", -180, north_of(50)),  # at the scene, three hours too early
    )
    # Across a cell boundary: the circle touches more than one 0.01 degree cell.
    assert geocell(*SCENE) != geocell(**east_of(480))

    page = queries.canvass(ines, CASE, window())

    assert [r.plate for r in page.results] == ["1NEAR11", "2EDGE22"]
    assert page.next_cursor is None
    (event,) = events()
    assert (event.action, event.outcome, event.record_count) == ("reads.canvass", "allowed", 2)
    assert event.query["circle"] == [SCENE[0], SCENE[1], 500]
    assert event.case_number == "24-0311"


def test_canvass_pages_with_a_cursor_and_audits_each_page(ines):
    camera = CameraFactory()
    store(camera, *[(f"7PAGE{n:02d}", n, north_of(20 * n)) for n in range(5)])

    first = queries.canvass(ines, CASE, window(), limit=2)
    second = queries.canvass(ines, CASE, window(), limit=2, cursor=first.next_cursor)
    third = queries.canvass(ines, CASE, window(), limit=2, cursor=second.next_cursor)

    plates = [r.plate for page in (first, second, third) for r in page.results]
    assert plates == ["7PAGE04", "7PAGE03", "7PAGE02", "7PAGE01", "7PAGE00"]
    assert third.next_cursor is None
    assert len(events("reads.canvass")) == 3


def test_canvass_grouped_by_plate_counts_reads_and_cameras(ines):
    north, south = CameraFactory(name="North"), CameraFactory(name="South")
    store(north, ("6GROUP1", -40, north_of(50)), ("6GROUP1", 20, north_of(60)))
    store(south, ("6GROUP1", 30, north_of(-50)), ("5ONCE55", 0, north_of(-40)))

    grouped = queries.canvass_by_plate(ines, CASE, window())

    assert grouped.total_reads == 4
    top, once = grouped.groups
    assert (top.plate, top.reads, top.cameras) == ("6GROUP1", 3, 2)
    assert top.first_seen == T0 - dt.timedelta(minutes=40)
    assert top.last_seen == T0 + dt.timedelta(minutes=30)
    assert (once.plate, once.reads, once.cameras) == ("5ONCE55", 1, 1)
    (event,) = events()
    assert event.query["group"] == "plate"
    assert event.record_count == 4


def test_polygon_canvass_keeps_only_points_inside_the_drawn_shape(ines):
    """GIVEN a triangle drawn on the map WHEN canvassing it THEN a read inside its bounding
    box but outside the triangle is left out."""
    lat, lon = SCENE
    triangle = Polygon(((lat, lon), (lat + 0.01, lon), (lat, lon + 0.01)))
    store(
        CameraFactory(),
        ("1INSIDE", 0, {"latitude": lat + 0.002, "longitude": lon + 0.002}),
        ("2CORNER", 0, {"latitude": lat + 0.009, "longitude": lon + 0.009}),
    )

    page = queries.canvass(ines, CASE, window(triangle))

    assert [r.plate for r in page.results] == ["1INSIDE"]
    assert events()[0].query["polygon"][0] == [lat, lon]


def test_polygon_text_and_its_limits():
    assert parse_polygon("37.8,-122.2; 37.81,-122.2; 37.8,-122.19").contains(37.802, -122.198)
    with pytest.raises(QueryError, match=r"polygon: '37\.8' is not 'latitude,longitude'"):
        parse_polygon("37.8;37.81,-122.2;37.8,-122.19")
    with pytest.raises(QueryError, match="between 3 and"):
        parse_polygon("37.8,-122.2;37.81,-122.2")
    with pytest.raises(QueryError, match="too large"):
        parse_polygon("37,-122;38,-122;38,-121")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Circle(*SCENE, 50_000), "radius_m: must be between 1 and 5000"),
        (lambda: queries.Window(Circle(*SCENE, 100), T0, T0 + dt.timedelta(days=40)), "31 days"),
        (lambda: queries.Window(Circle(*SCENE, 100), T0, T0 - ONE_HOUR), "not be after"),
        (
            lambda: queries.Window(Circle(*SCENE, 100), T0.replace(tzinfo=None), T0),
            "start: needs a time zone",
        ),
    ],
)
def test_an_unusable_area_or_window_says_why(build, message):
    with pytest.raises(QueryError, match=message):
        build()


def test_a_canvass_refuses_without_purpose_or_training_and_audits_the_refusal(ines):
    with pytest.raises(AccessDenied, match="purpose: is required") as missing:
        queries.canvass(ines, Justification(), window())
    assert missing.value.status == 400

    lapsed = Requester(make_user("lou", training="lapsed"), channel="api")
    with pytest.raises(AccessDenied, match="ALPR training lapsed"):
        queries.canvass_by_plate(lapsed, CASE, window())

    assert [(e.username, e.outcome) for e in events()] == [("ines", "denied"), ("lou", "denied")]


def test_an_operator_may_search_but_not_canvass():
    officer = Requester(make_user("olly", Role.OPERATOR), channel="ui")
    with pytest.raises(AccessDenied, match="may not canvass reads around a place"):
        queries.canvass(officer, CASE, window())


# --- multiple scenes -----------------------------------------------------------------------


def test_multiple_scenes_finds_plates_seen_at_k_of_n_burglaries(ines):
    """GIVEN three burglaries on three nights in three places, a car at all three, one at two,
    one at one WHEN asked for plates at 2 of 3 THEN the first two, most scenes first."""
    places = [SCENE, (SCENE[0] + 0.03, SCENE[1]), (SCENE[0], SCENE[1] + 0.04)]
    nights = [0, 24 * 60, 48 * 60]
    camera = CameraFactory()
    reads = []
    for number, ((lat, lon), minutes) in enumerate(zip(places, nights, strict=True), start=1):
        here = north_of(30, lat, lon)
        reads.append(("8BURGL8", minutes + 5, here))
        if number < 3:
            reads.append(("7LOOKT7", minutes - 10, here))
        if number == 1:
            reads.append(("6LOCAL6", minutes, here))
    store(camera, *reads)
    scenes = tuple(
        queries.Window(Circle(lat, lon, 200), T0 + dt.timedelta(minutes=m) - ONE_HOUR,
                       T0 + dt.timedelta(minutes=m) + ONE_HOUR)
        for (lat, lon), m in zip(places, nights, strict=True)
    )  # fmt: skip

    two_of_three = queries.multiple_scenes(ines, CASE, queries.Scenes(scenes, 2))
    all_three = queries.multiple_scenes(ines, CASE, queries.Scenes(scenes, 3))

    assert [(h.plate, h.scenes, len(h.reads)) for h in two_of_three] == [
        ("8BURGL8", (1, 2, 3), 3),
        ("7LOOKT7", (1, 2), 2),
    ]
    assert [h.plate for h in all_three] == ["8BURGL8"]
    assert two_of_three[0].first_seen < two_of_three[0].last_seen
    first, second = events("reads.scenes")
    assert (first.record_count, second.record_count) == (5, 3)
    assert len(first.query["scenes"]) == 3


def test_scenes_need_two_to_ten_windows_and_a_sensible_k():
    one = (window(),)
    with pytest.raises(QueryError, match="between 2 and 10 scenes"):
        queries.Scenes(one, 1)
    with pytest.raises(QueryError, match="min_scenes: must be between 1 and 2"):
        queries.Scenes(one * 2, 3)


# --- convoy --------------------------------------------------------------------------------


def test_convoy_finds_the_follower_and_not_the_passing_traffic(ines):
    """GIVEN a target read at three cameras, a car 20 s behind it each time, a car beside it at
    one camera only, and a car at the second camera ten minutes later WHEN looking for plates
    within 60 s at 2 or more cameras THEN only the follower is found."""
    cameras = [CameraFactory(name=f"Camera {n}") for n in range(3)]
    for number, camera in enumerate(cameras):
        minutes = 15 * number
        place = north_of(1000 * number)
        reads = [("1TARGET", minutes, place), ("2FOLLOW", minutes + 1 / 3, place)]
        if number == 0:
            reads.append(("3BESIDE", minutes - 0.5, place))
        if number == 1:
            reads.append(("4LATER4", minutes + 10, place))
        store(camera, *reads)
    store(cameras[2], ("2FOLLOW", 200, north_of(2000)))  # on its own, hours later

    found = queries.convoy(
        ines, CASE, queries.ConvoySearch("1target", T0 - ONE_HOUR, T0 + 2 * ONE_HOUR)
    )

    assert found.plate == "1TARGET"
    assert len(found.target_reads) == 3
    (follower,) = found.companions
    assert (follower.plate, follower.cameras, follower.meetings) == ("2FOLLOW", 3, 3)
    assert len(follower.reads) == 3  # its read hours later is not part of the convoy
    (event,) = events()
    assert (event.action, event.record_count) == ("reads.convoy", 6)
    assert event.query["plate"] == "1TARGET"

    beside = queries.convoy(
        ines, CASE, queries.ConvoySearch("1TARGET", T0 - ONE_HOUR, T0 + 2 * ONE_HOUR, 60, 1)
    )
    assert [c.plate for c in beside.companions] == ["2FOLLOW", "3BESIDE"]


def test_a_convoy_needs_the_whole_plate():
    with pytest.raises(QueryError, match="needs the whole target plate"):
        queries.ConvoySearch("1TAR*", T0, T0 + ONE_HOUR)


# --- sightings around a read ---------------------------------------------------------------


def test_sightings_show_the_plate_within_hours_of_a_read(ines):
    camera = CameraFactory()
    (read_id,) = store(camera, ("5SEEN55", 0, north_of(0)))
    store(camera, ("5SEEN55", -120, north_of(500)), ("5SEEN55", 300, north_of(900)))
    store(camera, ("5SEEN55", 30 * 60, north_of(0)), ("9OTHER9", 1, north_of(0)))

    found = queries.sightings(ines, CASE, read_id, hours=24)

    assert found.read.id == read_id
    assert [r.captured_at - T0 for r in found.reads] == [
        dt.timedelta(minutes=-120),
        dt.timedelta(0),
        dt.timedelta(minutes=300),
    ]
    (event,) = events()
    assert (event.action, event.record_count) == ("reads.sightings", 3)


# --- exports -------------------------------------------------------------------------------


def test_a_canvass_exports_as_csv_and_geojson_each_audited(ines):
    store(
        CameraFactory(name="=cmd|' /C calc'!A0"),
        ("1NEAR11", 10, north_of(100)),
        ("3FAR333", 5, north_of(800)),
    )

    as_csv = queries.export(ines, CASE, window(), "csv")
    as_geojson = queries.export(ines, CASE, window(), "geojson")

    rows = list(csv.DictReader(io.StringIO(as_csv.body.decode())))
    assert [r["plate"] for r in rows] == ["1NEAR11"]
    assert rows[0]["camera"].startswith("'=")  # no formula runs in a spreadsheet
    assert as_csv.filename.endswith(".csv")
    collection = json.loads(as_geojson.body)
    (feature,) = collection["features"]
    lon, lat = feature["geometry"]["coordinates"]
    assert distance_m(lat, lon, *SCENE) == pytest.approx(100, abs=1)
    assert feature["properties"]["plate"] == "1NEAR11"
    exported = events("reads.export")
    assert [(e.query["analysis"], e.query["format"]) for e in exported] == [
        ("canvass", "csv"),
        ("canvass", "geojson"),
    ]
    assert len(events()) == 2


def test_convoy_and_scenes_export_with_a_note_per_read(ines):
    camera_a, camera_b = CameraFactory(), CameraFactory()
    store(camera_a, ("1TARGET", 0, north_of(0)), ("2FOLLOW", 0.2, north_of(0)))
    store(camera_b, ("1TARGET", 10, north_of(900)), ("2FOLLOW", 10.2, north_of(900)))
    search = queries.ConvoySearch("1TARGET", T0 - ONE_HOUR, T0 + ONE_HOUR)
    scenes = queries.Scenes(
        (window(Circle(*SCENE, 100)), window(Circle(*north_of(900).values(), 100))), 2
    )

    convoy_rows = list(
        csv.DictReader(io.StringIO(queries.export(ines, CASE, search, "csv").body.decode()))
    )
    scene_rows = list(
        csv.DictReader(io.StringIO(queries.export(ines, CASE, scenes, "csv").body.decode()))
    )

    assert [(r["plate"], r["note"]) for r in convoy_rows] == [
        ("1TARGET", "target"),
        ("1TARGET", "target"),
        ("2FOLLOW", "companion at 2 cameras"),
        ("2FOLLOW", "companion at 2 cameras"),
    ]
    assert {(r["plate"], r["note"]) for r in scene_rows} == {
        ("1TARGET", "scenes 1 2"),
        ("2FOLLOW", "scenes 1 2"),
    }


def test_an_export_needs_the_export_permission_and_is_refused_on_the_record():
    auditor = Requester(make_user("audra", Role.AUDITOR), channel="ui")
    queries.canvass(auditor, CASE, window())  # the auditor may look...

    with pytest.raises(AccessDenied, match="may not export reads"):
        queries.export(auditor, CASE, window(), "csv")  # ...but not take a copy away

    assert [(e.action, e.outcome) for e in events()] == [
        ("reads.canvass", "allowed"),
        ("reads.export", "denied"),
    ]


def test_an_unknown_export_format_is_refused():
    with pytest.raises(QueryError, match="format: must be csv or geojson"):
        queries.export(Requester(make_user(), channel="api"), CASE, window(), "xlsx")

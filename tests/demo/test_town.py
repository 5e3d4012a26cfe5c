"""The demo town: repeatable, recent, shaped like Piedmont's traffic, and free of Django."""

from __future__ import annotations

import collections
import datetime as dt
import subprocess
import sys
import time

import pytest

from platekeeper.demo import DEMO_USERS, DemoTown, build_town
from platekeeper.demo.plate_formats import matches_state_format
from platekeeper.demo.town import (
    CENTRE,
    LOCAL_TIME_ZONE,
    PATROL_ROUTES,
    is_in_piedmont_area,
)
from platekeeper.geo import distance_m

# A Tuesday afternoon, so a five-day window holds a weekend and several weekdays.
END = dt.datetime(2026, 5, 12, 22, 30, tzinfo=dt.UTC)
DAYS = 5


@pytest.fixture(scope="module")
def town() -> DemoTown:
    return build_town(seed=438, days=DAYS, end=END, reads_per_camera_per_day=150)


def _local(read_time: dt.datetime) -> dt.datetime:
    return read_time.astimezone(LOCAL_TIME_ZONE)


def test_same_seed_draws_the_same_town() -> None:
    first = build_town(seed=7, days=2, end=END, reads_per_camera_per_day=40)
    again = build_town(seed=7, days=2, end=END, reads_per_camera_per_day=40)
    other = build_town(seed=8, days=2, end=END, reads_per_camera_per_day=40)

    assert first == again
    assert [r.id for r in first.reads] == [r.id for r in again.reads]
    assert [r.id for r in first.reads] != [r.id for r in other.reads]
    assert {r.plate for r in first.reads} != {r.plate for r in other.reads}


def test_read_ids_are_unique_version_4_uuids(town: DemoTown) -> None:
    ids = [read.id for read in town.reads]
    assert len(set(ids)) == len(ids)
    assert {read_id.version for read_id in ids} == {4}


def test_cameras_stand_in_piedmont(town: DemoTown) -> None:
    fixed = [c for c in town.cameras if c.kind == "fixed"]
    mobile = [c for c in town.cameras if c.kind == "mobile"]

    assert len(fixed) == 12
    assert len(mobile) == 2
    assert len({c.name for c in town.cameras}) == len(town.cameras)
    for camera in town.cameras:
        assert is_in_piedmont_area(camera.latitude, camera.longitude), camera
        assert distance_m(*CENTRE, camera.latitude, camera.longitude) < 3000, camera
    assert all(c.heading is not None and 0 <= c.heading < 360 for c in fixed)
    assert all(c.heading is None for c in mobile)


def test_every_read_is_in_piedmont_and_by_a_known_camera(town: DemoTown) -> None:
    names = {camera.name for camera in town.cameras}
    for read in town.reads:
        assert read.camera_name in names
        assert is_in_piedmont_area(read.latitude, read.longitude), read.camera_name


def test_patrol_cars_read_along_their_route(town: DemoTown) -> None:
    """GIVEN patrol cars WHEN they read THEN positions move and lie on the route's polyline."""
    route = PATROL_ROUTES[0]
    reads = [r for r in town.reads if r.camera_name == route.name]
    positions = {(r.latitude, r.longitude) for r in reads}

    assert len(reads) > 100
    assert len(positions) > 50
    for read in reads[:200]:
        nearest = min(
            distance_m(read.latitude, read.longitude, *route.position_at(d)[:2])
            for d in range(0, int(route.length_m), 5)
        )
        assert nearest < 10


def test_timestamps_are_utc_recent_and_sorted(town: DemoTown) -> None:
    times = [read.captured_at for read in town.reads]

    assert all(t.tzinfo is dt.UTC for t in times)
    assert min(times) >= END - dt.timedelta(days=DAYS)
    assert max(times) < END
    assert times == sorted(times)
    assert max(times) > END - dt.timedelta(hours=2)  # the demo looks live


def test_reads_follow_a_daily_curve(town: DemoTown) -> None:
    hours = collections.Counter(_local(read.captured_at).hour for read in town.reads)

    assert hours[8] > 5 * hours[3]
    assert hours[17] > 5 * hours[2]


def test_volume_matches_cameras_and_days(town: DemoTown) -> None:
    expected = len(town.cameras) * 150 * DAYS
    assert 0.8 * expected < len(town.reads) < 1.2 * expected


def test_commuters_recur_at_similar_times(town: DemoTown) -> None:
    """GIVEN commuters WHEN the same plate passes the same camera on several days
    THEN it is at nearly the same local time of day."""
    sightings: dict[tuple[str, str], dict[dt.date, float]] = collections.defaultdict(dict)
    for read in town.reads:
        local = _local(read.captured_at)
        if local.weekday() < 5 and local.hour < 12:
            sightings[read.plate, read.camera_name][local.date()] = local.hour + local.minute / 60

    regular = [days for days in sightings.values() if len(days) >= 3]
    assert len(regular) > 50
    spreads = sorted(max(days.values()) - min(days.values()) for days in regular)
    assert spreads[len(spreads) // 2] < 1.0  # median spread of arrival times under an hour


def test_one_off_visitors_appear_on_a_single_day(town: DemoTown) -> None:
    days_by_plate: dict[str, set[dt.date]] = collections.defaultdict(set)
    for read in town.reads:
        days_by_plate[read.plate].add(_local(read.captured_at).date())

    single = sum(1 for days in days_by_plate.values() if len(days) == 1)
    assert single > len(days_by_plate) / 4


def test_hotlist_plates_are_read(town: DemoTown) -> None:
    read_plates = {(read.plate, read.state) for read in town.reads}

    assert len(town.hotlist) >= 3
    assert len({entry.plate for entry in town.hotlist}) == len(town.hotlist)
    for entry in town.hotlist:
        assert (entry.plate, entry.state) in read_plates
        assert entry.reason in {"stolen vehicle", "stolen plate"}
        assert entry.description


def test_plates_match_their_state_formats(town: DemoTown) -> None:
    """GIVEN occasional misreads WHEN a read's text breaks its state's format
    THEN the truth is among its candidates and the confidence is low."""
    misreads = 0
    for read in town.reads:
        if not matches_state_format(read.plate, read.state):
            misreads += 1
            assert read.confidence < 0.75
            assert any(matches_state_format(p, read.state) for p, _ in read.candidates)
    assert 0 < misreads < len(town.reads) * 0.05

    states = collections.Counter(read.state for read in town.reads)
    assert states["CA"] > 0.75 * len(town.reads)
    assert len(states) >= 5


def test_candidates_are_plausible_alternatives(town: DemoTown) -> None:
    for read in town.reads:
        assert 0 < read.confidence < 1
        plates = [plate for plate, _ in read.candidates]
        assert read.plate not in plates
        assert len(set(plates)) == len(plates)
        for plate, confidence in read.candidates:
            assert len(plate) == len(read.plate)
            assert sum(a != b for a, b in zip(plate, read.plate, strict=True)) <= 2
            assert 0 < confidence <= read.confidence


def test_a_vehicle_looks_the_same_on_every_read(town: DemoTown) -> None:
    looks: dict[bytes, set[tuple[str, str, str, str]]] = collections.defaultdict(set)
    for read in town.reads:
        looks[read.plate_crop].add(
            (read.state, read.vehicle_make, read.vehicle_color, read.vehicle_type)
        )
    assert all(len(seen) == 1 for seen in looks.values())
    assert {t for seen in looks.values() for (_, _, _, t) in seen} >= {"sedan", "suv", "van"}


def test_each_plate_is_rendered_once_and_shared(town: DemoTown) -> None:
    by_content: dict[bytes, set[int]] = collections.defaultdict(set)
    for read in town.reads:
        by_content[read.plate_crop].add(id(read.plate_crop))
    assert all(len(objects) == 1 for objects in by_content.values())
    assert len(by_content) > 100


def test_demo_users_cover_every_role_with_policy_passwords() -> None:
    roles = {user.role for user in DEMO_USERS}
    assert roles == {"administrator", "operator", "investigator", "auditor", "custodian", "partner"}
    assert {user.username for user in DEMO_USERS} >= {"admin", "officer", "partner"}
    for user in DEMO_USERS:
        assert len(user.password) >= 12
        assert user.username.lower() not in user.password.lower()
        assert user.full_name
    assert len({user.password for user in DEMO_USERS}) == len(DEMO_USERS)


def test_end_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        build_town(end=dt.datetime(2026, 5, 12, 12, 0))  # noqa: DTZ001 - the naive time is the point


def test_asking_for_more_cameras_than_entrances_fails() -> None:
    with pytest.raises(ValueError, match="fixed cameras"):
        build_town(end=END, fixed_cameras=99)
    with pytest.raises(ValueError, match="patrol cars"):
        build_town(end=END, patrol_cars=9)


def test_a_week_of_twenty_cameras() -> None:
    """GIVEN 18 entrance cameras and 2 patrol cars WHEN a week is drawn THEN it holds ~42k reads.

    The time is printed, not asserted: timing belongs to benchmarks, not to a pass/fail test.
    """
    started = time.perf_counter()
    town = build_town(end=END, fixed_cameras=18, patrol_cars=2)
    elapsed = time.perf_counter() - started
    crops = len({id(read.plate_crop) for read in town.reads})
    print(f"\na week of 20 cameras: {len(town.reads)} reads, {crops} plate images, {elapsed:.1f} s")

    assert len(town.cameras) == 20
    assert 0.8 * 20 * 300 * 7 < len(town.reads) < 1.2 * 20 * 300 * 7


def test_the_demo_package_never_imports_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None\n"
        "import datetime as dt\n"
        "import platekeeper.demo as demo\n"
        "demo.build_town(days=1, end=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),"
        " reads_per_camera_per_day=5)\n"
        "assert not any(name.startswith('django') for name in sys.modules if sys.modules[name])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603 - our own interpreter

"""The demo town's traffic: who drives through Piedmont, when, and the plate reads that leaves.

Four kinds of vehicle make the picture an investigator expects: commuters who cross the city
line at nearly the same time every weekday, residents who leave in the morning and come home
in the evening, regulars (cleaners, gardeners, delivery vans) who come on some days, and one-off
visitors who fill the rest of each camera's day along a curve with rush hours and quiet nights.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import uuid
from collections.abc import Callable, Sequence
from typing import Literal

from platekeeper.demo.plate_formats import PlateKind, choose_format, lookalike_variants
from platekeeper.demo.plate_images import render_plate
from platekeeper.demo.town import LOCAL_TIME_ZONE, CameraSite, DemoCamera, Entrance, PatrolRoute
from platekeeper.demo.vehicles import look_for

Role = Literal["commuter", "resident", "regular", "visitor"]

#: Relative traffic by local hour on weekdays (rush hours) and at weekends (a late, flat day).
WEEKDAY_CURVE: tuple[float, ...] = (
    0.30, 0.18, 0.12, 0.12, 0.20, 0.55, 1.60, 4.20, 6.00, 4.40, 3.30, 3.30,
    3.60, 3.50, 3.70, 4.80, 5.60, 6.00, 4.60, 3.00, 2.20, 1.60, 1.00, 0.60,
)  # fmt: skip
WEEKEND_CURVE: tuple[float, ...] = (
    0.60, 0.40, 0.30, 0.20, 0.20, 0.30, 0.60, 1.20, 2.20, 3.40, 4.20, 4.60,
    4.80, 4.70, 4.50, 4.30, 4.00, 3.60, 3.20, 2.60, 2.00, 1.50, 1.10, 0.80,
)  # fmt: skip

# Shares of a fixed camera's daily reads that each recurring population is sized to produce;
# one-off visitors fill whatever is left, which keeps the count of distinct plates (and so of
# rendered images) down while the total still meets `reads_per_camera_per_day`.
_COMMUTER_SHARE = 0.50
_RESIDENT_SHARE = 0.17
_REGULAR_SHARE = 0.15
_REGULAR_VISIT_PROBABILITY = 0.3

#: Share of vehicles passing a camera that it actually reads (rain, glare, a truck in the way).
_CAPTURE_RATE = 0.97
#: Share of reads where the engine's best text is wrong and the truth is only a candidate.
_MISREAD_RATE = 0.03

_PATROL_SPEED_M_PER_S = 30 / 3.6
#: Local start and end hour of each patrol car's shift; the end may pass midnight.
_PATROL_SHIFTS: tuple[tuple[float, float], ...] = ((6.0, 18.0), (14.0, 26.0), (22.0, 30.0))


@dataclasses.dataclass(frozen=True, slots=True)
class DemoRead:
    """One plate read as the demo server stores it.

    `heading` is where the reading camera faced (a patrol car's direction of travel);
    `speed_kmh` is the passing vehicle's speed at a fixed camera and the patrol car's own speed
    on a mobile one. `plate_crop` is one bytes object shared by every read of the same vehicle.
    """

    id: uuid.UUID
    camera_name: str
    plate: str
    state: str
    captured_at: dt.datetime
    latitude: float
    longitude: float
    heading: float | None
    speed_kmh: float | None
    confidence: float
    candidates: tuple[tuple[str, float], ...]
    vehicle_make: str
    vehicle_color: str
    vehicle_type: str
    plate_crop: bytes


@dataclasses.dataclass(frozen=True)
class DemoHotlistEntry:
    """A stolen-vehicle hotlist entry whose plate the demo cameras do read, so alerts fire."""

    plate: str
    state: str
    reason: str
    description: str
    case_number: str | None


@dataclasses.dataclass(slots=True)
class _Vehicle:
    plate: str
    state: str
    kind: PlateKind
    make: str
    colour: str
    vehicle_type: str
    model_year: int
    role: Role
    home: Entrance
    #: Where a through-driving commuter leaves town; None for those who stop in Piedmont.
    through: Entrance | None
    arrival: float
    departure: float
    crop: bytes | None = None
    variants: list[str] | None = None


@dataclasses.dataclass(frozen=True)
class Traffic:
    """The reads of the demo window, oldest first, and a hotlist that matches some of them."""

    reads: tuple[DemoRead, ...]
    hotlist: tuple[DemoHotlistEntry, ...]


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


class _TrafficBuilder:
    """Draws vehicles and their crossings day by day; a class so its steps share rng and caches."""

    def __init__(
        self,
        rng: random.Random,
        *,
        start: dt.datetime,
        end: dt.datetime,
        sites: Sequence[CameraSite],
        patrols: Sequence[tuple[DemoCamera, PatrolRoute]],
        reads_per_camera_per_day: int,
    ) -> None:
        self.rng = rng
        self.start = start
        self.end = end
        self.patrols = patrols
        self.reads_per_camera_per_day = reads_per_camera_per_day
        self.cameras: dict[tuple[str, str], DemoCamera] = {
            (site.entrance.name, site.direction): site.camera for site in sites
        }
        covered = {site.entrance.name: site.entrance for site in sites}
        self.entrances: list[Entrance] = list(covered.values())
        self.entrance_weights = [e.weight for e in self.entrances]
        self.fixed_count = len(sites)
        # Mean share of an entrance's two directions that have a camera.
        self.coverage = len(sites) / (2 * len(self.entrances)) if self.entrances else 0.0
        self.plates: set[str] = set()
        self.reads: list[DemoRead] = []
        #: Vehicles read under their true plate, by plate, in the order first read.
        self.seen: dict[str, _Vehicle] = {}

    # -- vehicles ---------------------------------------------------------------------------

    def _entrance(self, *, other_than: Entrance | None = None) -> Entrance:
        while True:
            entrance = self.rng.choices(self.entrances, weights=self.entrance_weights)[0]
            if entrance is not other_than or len(self.entrances) == 1:
                return entrance

    def _vehicle(self, role: Role, kind: PlateKind | None = None) -> _Vehicle:
        rng = self.rng
        plate_format = choose_format(rng, kind)
        plate = plate_format.generate(rng)
        while plate in self.plates:
            plate = plate_format.generate(rng)
        self.plates.add(plate)
        look = look_for(plate, plate_format.kind)
        home = self._entrance()
        through = self._entrance(other_than=home) if rng.random() < 0.5 else None
        if role == "commuter":
            arrival = _clamp(rng.gauss(7.9, 0.8), 5.5, 10.5)
            departure = (
                _clamp(rng.gauss(17.4, 0.9), 14.5, 21.0)
                if through
                else _clamp(arrival + rng.gauss(8.5, 0.7), arrival + 4, 21.5)
            )
        elif role == "resident":
            through = None
            arrival = _clamp(rng.gauss(17.8, 1.2), 13.0, 23.0)  # home time
            departure = _clamp(rng.gauss(7.7, 0.9), 5.0, 11.0)  # leaving time
        else:
            arrival = rng.uniform(8.0, 14.0)
            departure = arrival + rng.uniform(1.0, 6.0)
        return _Vehicle(
            plate=plate,
            state=plate_format.state,
            kind=plate_format.kind,
            make=look.make,
            colour=look.colour,
            vehicle_type=look.body,
            model_year=look.model_year,
            role=role,
            home=home,
            through=through,
            arrival=arrival,
            departure=departure,
        )

    def _population(self, role: Role, share: float, reads_per_day: float) -> list[_Vehicle]:
        daily_budget = self.fixed_count * self.reads_per_camera_per_day
        expected = reads_per_day * self.coverage * _CAPTURE_RATE
        count = round(share * daily_budget / expected) if expected else 0
        # A tenth of commuters and regulars drive work vans or pickups with commercial plates.
        return [
            self._vehicle(role, "commercial" if role != "resident" and i % 10 == 9 else None)
            for i in range(count)
        ]

    # -- reads ------------------------------------------------------------------------------

    def _crop(self, vehicle: _Vehicle) -> bytes:
        if vehicle.crop is None:
            vehicle.crop = render_plate(vehicle.plate, vehicle.state, vehicle.kind)
        return vehicle.crop

    def _read(
        self,
        vehicle: _Vehicle,
        camera: DemoCamera,
        when: dt.datetime,
        *,
        latitude: float,
        longitude: float,
        heading: float | None,
        speed_kmh: float,
    ) -> None:
        rng = self.rng
        if vehicle.variants is None:
            vehicle.variants = lookalike_variants(vehicle.plate)
        variants = vehicle.variants
        if variants and rng.random() < _MISREAD_RATE:
            plate = variants[0] if rng.random() < 0.6 else rng.choice(variants)
            confidence = rng.uniform(0.42, 0.74)
            alternatives = [vehicle.plate, *(v for v in variants if v != plate)]
        else:
            plate = vehicle.plate
            confidence = _clamp(rng.betavariate(16.0, 1.3), 0.62, 0.995)
            alternatives = variants
            self.seen.setdefault(plate, vehicle)
        candidates: list[tuple[str, float]] = []
        level = confidence
        for alternative in alternatives[: rng.randint(1, 3)]:
            level *= rng.uniform(0.55, 0.95) if candidates else rng.uniform(0.7, 0.97)
            candidates.append((alternative, round(level, 3)))
        self.reads.append(
            DemoRead(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                camera_name=camera.name,
                plate=plate,
                state=vehicle.state,
                captured_at=when,
                latitude=latitude,
                longitude=longitude,
                heading=heading,
                speed_kmh=round(speed_kmh, 1),
                confidence=round(confidence, 3),
                candidates=tuple(candidates),
                vehicle_make=vehicle.make,
                vehicle_color=vehicle.colour,
                vehicle_type=vehicle.vehicle_type,
                plate_crop=self._crop(vehicle),
            )
        )

    def _cross(
        self, vehicle: _Vehicle, entrance: Entrance, direction: str, day: dt.date, hour: float
    ) -> int:
        """Record `vehicle` crossing the city line; returns how many reads that produced."""
        camera = self.cameras.get((entrance.name, direction))
        if camera is None or self.rng.random() > _CAPTURE_RATE:
            return 0
        when = _at(day, hour)
        if not self.start <= when < self.end:
            return 0
        speed = _clamp(self.rng.gauss(38.0, 7.0), 12.0, 72.0)
        self._read(
            vehicle,
            camera,
            when,
            latitude=camera.latitude,
            longitude=camera.longitude,
            heading=camera.heading,
            speed_kmh=speed,
        )
        return 1

    def _visit(
        self, vehicle: _Vehicle, day: dt.date, arrive: float, leave: float, exit_by: Entrance
    ) -> int:
        return self._cross(vehicle, vehicle.home, "inbound", day, arrive) + self._cross(
            vehicle, exit_by, "outbound", day, leave
        )

    def _commute(self, vehicle: _Vehicle, day: dt.date) -> int:
        rng = self.rng
        arrive = vehicle.arrival + rng.gauss(0.0, 0.2)
        leave = vehicle.departure + rng.gauss(0.0, 0.25)
        if vehicle.through is None:
            return self._visit(vehicle, day, arrive, leave, vehicle.home)
        # Through the town and out the far side in the morning, back the same way at night.
        minutes = rng.uniform(3.0, 8.0) / 60
        reads = self._cross(vehicle, vehicle.home, "inbound", day, arrive)
        reads += self._cross(vehicle, vehicle.through, "outbound", day, arrive + minutes)
        reads += self._cross(vehicle, vehicle.through, "inbound", day, leave)
        return reads + self._cross(vehicle, vehicle.home, "outbound", day, leave + minutes)

    def _resident_day(self, vehicle: _Vehicle, day: dt.date, weekday: bool) -> int:
        rng = self.rng
        reads = 0
        if weekday:
            out = vehicle.departure + rng.gauss(0.0, 0.3)
            back = vehicle.arrival + rng.gauss(0.0, 0.5)
            reads += self._cross(vehicle, vehicle.home, "outbound", day, out)
            reads += self._cross(vehicle, vehicle.home, "inbound", day, back)
            errand = rng.random() < 0.35
        else:
            errand = rng.random() < 0.8
        if errand:
            out = rng.uniform(9.5, 15.0)
            reads += self._cross(vehicle, vehicle.home, "outbound", day, out)
            reads += self._cross(vehicle, vehicle.home, "inbound", day, out + rng.uniform(0.4, 3))
        return reads

    def _one_off_visit(self, vehicle: _Vehicle, day: dt.date, curve: Sequence[float]) -> int:
        rng = self.rng
        arrive = _draw_hour(rng, curve)
        if vehicle.through is not None:
            return self._visit(
                vehicle, day, arrive, arrive + rng.uniform(0.05, 0.14), vehicle.through
            )
        return self._visit(vehicle, day, arrive, arrive + rng.uniform(0.2, 4.0), vehicle.home)

    def _patrol_day(
        self,
        camera: DemoCamera,
        route: PatrolRoute,
        shift: tuple[float, float],
        day: dt.date,
        parked: Sequence[Sequence[_Vehicle]],
    ) -> None:
        rng = self.rng
        first, last = shift
        shift_start = _at(day, first)
        weights = [WEEKDAY_CURVE[int(h) % 24] for h in range(int(first), int(last))]
        for _ in range(self.reads_per_camera_per_day):
            hour = rng.choices(range(int(first), int(last)), weights=weights)[0] + rng.random()
            when = _at(day, hour)
            if not self.start <= when < self.end:
                continue
            # Patrols mostly read parked cars: residents on their streets, then everyone else.
            pool = rng.choices(parked, weights=(55, 20, 10, 15))[0] or parked[0]
            if not pool:
                continue
            driven = (when - shift_start).total_seconds() * _PATROL_SPEED_M_PER_S
            latitude, longitude, heading = route.position_at(driven)
            self._read(
                rng.choice(pool),
                camera,
                when,
                latitude=round(latitude, 6),
                longitude=round(longitude, 6),
                heading=round(heading, 1),
                speed_kmh=_clamp(rng.gauss(28.0, 8.0), 0.0, 55.0),
            )

    def build(self) -> list[DemoRead]:
        rng = self.rng
        commuters = self._population("commuter", _COMMUTER_SHARE, 3.0 * 0.95)
        residents = self._population("resident", _RESIDENT_SHARE, 2.7)
        regulars = self._population("regular", _REGULAR_SHARE, 2.0 * _REGULAR_VISIT_PROBABILITY)
        # From the day before: a patrol shift that began then may still be reading at the start.
        day = self.start.astimezone(LOCAL_TIME_ZONE).date() - dt.timedelta(days=1)
        last_day = self.end.astimezone(LOCAL_TIME_ZONE).date()
        while day <= last_day:
            weekday = day.weekday() < 5
            curve = WEEKDAY_CURVE if weekday else WEEKEND_CURVE
            fixed_reads = 0
            for vehicle in commuters:
                if rng.random() < (0.95 if weekday else 0.1):
                    fixed_reads += self._commute(vehicle, day)
            for vehicle in residents:
                fixed_reads += self._resident_day(vehicle, day, weekday)
            for vehicle in regulars:
                if rng.random() < _REGULAR_VISIT_PROBABILITY:
                    arrive = vehicle.arrival + rng.gauss(0.0, 0.5)
                    fixed_reads += self._visit(
                        vehicle,
                        day,
                        arrive,
                        arrive + vehicle.departure - vehicle.arrival,
                        vehicle.through or vehicle.home,
                    )
            visitors = self._fill_with_visitors(day, curve, fixed_reads)
            for index, (camera, route) in enumerate(self.patrols):
                shift = _PATROL_SHIFTS[index % len(_PATROL_SHIFTS)]
                working = [v for v in commuters if v.through is None] if weekday else []
                self._patrol_day(
                    camera, route, shift, day, (residents, working, regulars, visitors)
                )
            day += dt.timedelta(days=1)
        self.reads.sort(key=_captured_at)
        return self.reads

    def _fill_with_visitors(
        self, day: dt.date, curve: Sequence[float], fixed_reads: int
    ) -> list[_Vehicle]:
        """Add one-off visitors until the fixed cameras reach their share of the day's reads."""
        in_window = sum(
            w for h, w in enumerate(curve) if self.start <= _at(day, h + 0.5) < self.end
        )
        wanted = self.fixed_count * self.reads_per_camera_per_day * in_window / sum(curve)
        visitors: list[_Vehicle] = []
        attempts = 0
        while fixed_reads < wanted and attempts < 4 * wanted:
            attempts += 1
            vehicle = self._vehicle("visitor")
            reads = self._one_off_visit(vehicle, day, curve)
            if reads:
                fixed_reads += reads
                visitors.append(vehicle)
            else:
                self.plates.discard(vehicle.plate)
        return visitors


def _captured_at(read: DemoRead) -> dt.datetime:
    return read.captured_at


def _at(day: dt.date, hour: float) -> dt.datetime:
    """The UTC instant of local `hour` (may exceed 24 or be negative) on local `day`."""
    whole = math.floor(hour)
    local = dt.datetime(day.year, day.month, day.day, tzinfo=LOCAL_TIME_ZONE) + dt.timedelta(
        hours=whole, seconds=round((hour - whole) * 3600)
    )
    return local.astimezone(dt.UTC)


def _draw_hour(rng: random.Random, curve: Sequence[float]) -> float:
    return rng.choices(range(24), weights=curve)[0] + rng.random()


_HOTLIST_AGENCIES = ("PPD", "OPD", "ACSO", "BPD")
_THEFT_PLACES = (
    "taken overnight from a driveway on Trestle Glen Rd, Oakland",
    "taken from a garage on Lakeshore Ave, Oakland",
    "taken while left running outside a cafe on Piedmont Ave, Oakland",
    "taken from a parking lot near Montclair Village",
    "taken from the street on College Ave, Berkeley",
)


def _hotlist(
    rng: random.Random, seen: dict[str, _Vehicle], year: int, pick: Callable[[Role], list[_Vehicle]]
) -> tuple[DemoHotlistEntry, ...]:
    entries: list[DemoHotlistEntry] = []
    chosen: set[str] = set()
    wanted: tuple[tuple[Role, str], ...] = (
        ("visitor", "stolen vehicle"),
        ("visitor", "stolen vehicle"),
        ("commuter", "stolen vehicle"),
        ("visitor", "stolen plate"),
        ("regular", "stolen vehicle"),
    )
    for role, reason in wanted:
        pool = [v for v in pick(role) if v.plate not in chosen] or [
            v for v in seen.values() if v.plate not in chosen
        ]
        if not pool:
            break
        vehicle = rng.choice(pool)
        chosen.add(vehicle.plate)
        if reason == "stolen plate":
            description = (
                f"Plates taken from a parked {vehicle.model_year} {vehicle.make}; "
                "may be on another vehicle"
            )
        else:
            description = (
                f"{vehicle.colour.capitalize()} {vehicle.model_year} {vehicle.make} "
                f"{vehicle.vehicle_type}, {rng.choice(_THEFT_PLACES)}"
            )
        case_number = (
            None
            if len(entries) == 4
            else f"{rng.choice(_HOTLIST_AGENCIES)}-{year % 100:02d}-{rng.randint(1000, 99999):05d}"
        )
        entries.append(
            DemoHotlistEntry(
                plate=vehicle.plate,
                state=vehicle.state,
                reason=reason,
                description=description,
                case_number=case_number,
            )
        )
    return tuple(entries)


def generate_traffic(
    rng: random.Random,
    *,
    start: dt.datetime,
    end: dt.datetime,
    sites: Sequence[CameraSite],
    patrols: Sequence[tuple[DemoCamera, PatrolRoute]],
    reads_per_camera_per_day: int,
) -> Traffic:
    """Draw every read between `start` and `end` (aware datetimes) and a matching hotlist."""
    builder = _TrafficBuilder(
        rng,
        start=start,
        end=end,
        sites=sites,
        patrols=patrols,
        reads_per_camera_per_day=reads_per_camera_per_day,
    )
    reads = builder.build()
    seen = builder.seen

    def pick(role: Role) -> list[_Vehicle]:
        return [v for v in seen.values() if v.role == role]

    return Traffic(reads=tuple(reads), hotlist=_hotlist(rng, seen, end.year, pick))

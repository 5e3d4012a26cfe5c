"""The living demo: the town's cameras posting heartbeats and new reads to a running server.

It goes through the server's real device API with each camera's own device token, as the edge
agent does: `POST /api/v1/reads` (reads with overview photo, plate crop and vehicle description)
and `POST /api/v1/agent/heartbeat`, so the camera page, the live alert feed and every check on
the way in see what a real installation would send. It reads the hotlists through
`GET /api/v1/agent/hotlists` and every few minutes drives one listed plate past a camera, so
an alert arrives to be verified. Standard library and Pillow only: no Django in this process's
view of the server.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import random
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from platekeeper.demo.car_images import photograph
from platekeeper.demo.plate_formats import PlateKind, choose_format
from platekeeper.demo.town import (
    LOCAL_TIME_ZONE,
    CameraSite,
    DemoCamera,
    PatrolRoute,
    camera_sites,
    patrol_cameras,
)
from platekeeper.demo.traffic import WEEKDAY_CURVE, WEEKEND_CURVE
from platekeeper.demo.vehicles import kind_of, look_for
from platekeeper.wire import Candidate, PlateBox, ReadItem

log = logging.getLogger(__name__)

#: Reads per second at traffic-curve weight 1: the curve's midday 3.5 gives one read a second.
READS_PER_SECOND_PER_WEIGHT = 1 / 3.5
#: Even at 3 a.m. something passes now and then, so the demo never looks stopped.
NIGHT_FLOOR_READS_PER_SECOND = 0.1
#: Vehicles that come back (commuters, residents) rather than new plates each time.
REGULAR_VEHICLES = 400
_PATROL_SPEED_M_PER_S = 30 / 3.6
_EXACT_PLATE = re.compile(r"^[A-Z0-9]{2,10}$")


@dataclasses.dataclass(frozen=True)
class SimulatedCamera:
    """A demo camera with its device token and where its reads come from."""

    camera: DemoCamera
    token: str
    #: Entrance traffic for a fixed camera; None for a patrol car.
    site: CameraSite | None = None
    route: PatrolRoute | None = None

    @property
    def weight(self) -> float:
        """How much of the town's traffic this camera sees (a patrol car reads like a side road)."""
        return self.site.entrance.weight if self.site else 2.0


def simulated_cameras(
    tokens: dict[str, str], *, fixed_cameras: int, patrol_cars: int
) -> tuple[SimulatedCamera, ...]:
    """The demo town's cameras (as `build_town` lays them out) that have a token in `tokens`."""
    cameras = [
        SimulatedCamera(site.camera, tokens[site.camera.name], site=site)
        for site in camera_sites(fixed_cameras)
        if site.camera.name in tokens
    ]
    cameras += [
        SimulatedCamera(camera, tokens[camera.name], route=route)
        for camera, route in patrol_cameras(patrol_cars)
        if camera.name in tokens
    ]
    return tuple(cameras)


@dataclasses.dataclass
class Tally:
    """What the simulator has sent so far, for its log line and for tests."""

    reads: int = 0
    heartbeats: int = 0
    hotlist_hits: int = 0
    #: Alerts the server said the reads raised.
    alerts: int = 0
    failures: int = 0
    last_failure: str = ""


@dataclasses.dataclass(frozen=True)
class _Plate:
    text: str
    state: str
    kind: PlateKind


class TownSimulator:
    """Sends the demo town's traffic to the server at `base_url` until stopped.

    `reads_per_second`, when given, replaces the daily curve (tests use a steady rate);
    `hit_every_s` is the range of seconds between hotlist hits, the first after `first_hit_s`.
    """

    def __init__(
        self,
        base_url: str,
        cameras: Sequence[SimulatedCamera],
        *,
        seed: int | None = None,
        tick_s: float = 2.0,
        heartbeat_every_s: float = 30.0,
        reads_per_second: float | None = None,
        first_hit_s: float = 20.0,
        hit_every_s: tuple[float, float] = (120.0, 300.0),
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not cameras:
            raise ValueError("the simulator needs at least one camera with a token")
        self.base_url = base_url.rstrip("/")
        self.cameras = tuple(cameras)
        # Demo data, not secrets; a seed makes a test's traffic repeatable.
        self.rng = random.Random(seed)  # noqa: S311
        self.tick_s = tick_s
        self.heartbeat_every_s = heartbeat_every_s
        self.reads_per_second = reads_per_second
        self.hit_every_s = hit_every_s
        self.clock = clock
        self.tally = Tally()
        self._started = clock()
        self._next_heartbeat = self._started
        self._next_hit = self._started + first_hit_s
        self._regulars = [self._new_plate() for _ in range(REGULAR_VEHICLES)]

    # -- running --------------------------------------------------------------------------

    def run(self, stop: threading.Event, *, wait_for_server_s: float = 120.0) -> None:
        """Wait until the server answers, then send one tick of traffic every `tick_s`."""
        if not self._wait_for_server(stop, wait_for_server_s):
            log.warning("demo traffic: no server at %s; no traffic sent", self.base_url)
            return
        log.info("demo traffic: %d cameras sending to %s", len(self.cameras), self.base_url)
        while not stop.is_set():
            began = self.clock()
            self.step()
            stop.wait(max(0.0, self.tick_s - (self.clock() - began)))

    def step(self) -> None:
        """One tick: heartbeats when due, the reads of the tick, and a hotlist hit when due."""
        now = self.clock()
        if now >= self._next_heartbeat:
            for camera in self.cameras:
                self._heartbeat(camera)
            self._next_heartbeat = now + self.heartbeat_every_s
        batches: dict[SimulatedCamera, list[ReadItem]] = {}
        for _ in range(self._reads_this_tick(now)):
            camera = self.rng.choices(self.cameras, weights=[c.weight for c in self.cameras])[0]
            plate = (
                self.rng.choice(self._regulars) if self.rng.random() < 0.6 else self._new_plate()
            )
            batches.setdefault(camera, []).append(self._read(camera, plate, now))
        if now >= self._next_hit:
            self._next_hit = now + self.rng.uniform(*self.hit_every_s)
            hit = self._hotlisted_plate()
            if hit is not None:
                camera = self.rng.choice(self.cameras)
                batches.setdefault(camera, []).append(self._read(camera, hit, now))
                self.tally.hotlist_hits += 1
        for camera, reads in batches.items():
            self._post_reads(camera, reads)

    # -- traffic --------------------------------------------------------------------------

    def _rate(self, now: float) -> float:
        if self.reads_per_second is not None:
            return self.reads_per_second
        local = dt.datetime.fromtimestamp(now, tz=LOCAL_TIME_ZONE)
        curve = WEEKDAY_CURVE if local.weekday() < 5 else WEEKEND_CURVE
        return max(NIGHT_FLOOR_READS_PER_SECOND, curve[local.hour] * READS_PER_SECOND_PER_WEIGHT)

    def _reads_this_tick(self, now: float) -> int:
        """A Poisson draw of the reads expected in one tick at the current rate."""
        expected = self._rate(now) * self.tick_s
        threshold, count, product = math.exp(-expected), 0, self.rng.random()
        while product > threshold:
            count += 1
            product *= self.rng.random()
        return count

    def _new_plate(self) -> _Plate:
        plate_format = choose_format(self.rng)
        return _Plate(plate_format.generate(self.rng), plate_format.state, plate_format.kind)

    def _read(self, camera: SimulatedCamera, plate: _Plate, now: float) -> ReadItem:
        rng = self.rng
        look = look_for(plate.text, plate.kind)
        captured_at = dt.datetime.fromtimestamp(now - rng.uniform(0.2, 1.5), tz=dt.UTC)
        local_hour = captured_at.astimezone(LOCAL_TIME_ZONE).hour
        photo = photograph(
            rng, look, plate.text, plate.state, plate.kind, night=local_hour < 6 or local_hour >= 20
        )
        latitude, longitude, heading = camera.camera.latitude, camera.camera.longitude, None
        if camera.route is not None:
            driven = (now - self._started) * _PATROL_SPEED_M_PER_S
            latitude, longitude, heading = camera.route.position_at(driven)
        else:
            heading = camera.camera.heading
        confidence = round(min(0.995, max(0.62, rng.betavariate(16.0, 1.3))), 3)
        return ReadItem(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            plate=plate.text,
            captured_at=captured_at,
            latitude=round(latitude, 6),
            longitude=round(longitude, 6),
            confidence=confidence,
            state=plate.state,
            candidates=(Candidate(plate.text, confidence),),
            heading=None if heading is None else round(heading, 1),
            speed_kmh=round(min(72.0, max(8.0, rng.gauss(38.0, 7.0))), 1),
            plate_box=PlateBox(*photo.plate_box),
            plate_crop=photo.plate_crop,
            overview=photo.overview,
            vehicle_make=look.make,
            vehicle_color=look.colour,
            vehicle_type=look.body,
        )

    def _hotlisted_plate(self) -> _Plate | None:
        """A whole plate (not a pattern) from the hotlists the cameras match, if there is one."""
        answer = self._request("GET", "/api/v1/agent/hotlists", self.cameras[0].token)
        if not isinstance(answer, dict):
            return None
        listed = [
            (plate, state)
            for _entry, _hotlist, plate, state, _expires in answer.get("entries", [])
            if isinstance(plate, str) and _EXACT_PLATE.match(plate)
        ]
        if not listed:
            return None
        plate, state = self.rng.choice(listed)
        return _Plate(plate, state or "CA", kind_of(plate, state))

    # -- HTTP -----------------------------------------------------------------------------

    def _post_reads(self, camera: SimulatedCamera, reads: list[ReadItem]) -> None:
        body = {"reads": [read.to_json() for read in reads]}
        answer = self._request("POST", "/api/v1/reads", camera.token, body)
        if isinstance(answer, dict):
            self.tally.reads += int(answer.get("stored", 0))
            self.tally.alerts += len(answer.get("alerts") or [])
            for rejected in answer.get("rejected", []):
                self._failed(f"{camera.camera.name}: read refused: {rejected.get('reason')}")

    def _heartbeat(self, camera: SimulatedCamera) -> None:
        body = {
            "agent_time": dt.datetime.now(dt.UTC).isoformat(),
            "version": "demo-simulator",
            "reads_per_minute": round(self._rate(self.clock()) * 60 / len(self.cameras), 2),
        }
        if self._request("POST", "/api/v1/agent/heartbeat", camera.token, body) is not None:
            self.tally.heartbeats += 1

    def _request(
        self, method: str, path: str, token: str, body: dict[str, Any] | None = None
    ) -> Any:
        """The JSON answer, or None after logging why there is none (the demo carries on)."""
        request = urllib.request.Request(  # noqa: S310 - an http(s) URL we were given
            self.base_url + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            self._failed(f"{method} {path}: {error.code} {error.read()[:200]!r}")
        except (OSError, ValueError) as error:
            self._failed(f"{method} {path}: {error}")
        return None

    def _failed(self, why: str) -> None:
        self.tally.failures += 1
        self.tally.last_failure = why
        log.warning("demo traffic: %s", why)

    def _wait_for_server(self, stop: threading.Event, seconds: float) -> bool:
        deadline = self.clock() + seconds
        while not stop.is_set() and self.clock() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2):  # noqa: S310
                    return True
            except OSError:
                stop.wait(0.2)
        return False


def start_in_background(simulator: TownSimulator) -> threading.Event:
    """Run `simulator` on a daemon thread; setting the returned event stops it."""
    stop = threading.Event()
    threading.Thread(target=simulator.run, args=(stop,), name="demo-traffic", daemon=True).start()
    return stop

"""A plausible demo town for `platekeeper seed-demo`: cameras, a week of reads, a hotlist, users.

Everything is drawn from one seed, so two demo servers seeded alike show the same town, and all
times count back from a given `end` so the data always looks recent. No Django here: the seeding
command turns these frozen dataclasses into rows through the server's own actions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from platekeeper.demo.town import DemoCamera, camera_sites, patrol_cameras
from platekeeper.demo.traffic import DemoHotlistEntry, DemoRead, generate_traffic

__all__ = [
    "DEMO_USERS",
    "DemoCamera",
    "DemoHotlistEntry",
    "DemoRead",
    "DemoTown",
    "DemoUser",
    "build_town",
]


@dataclasses.dataclass(frozen=True)
class DemoUser:
    """A demo login; the password is public on purpose and meets the server's password policy."""

    username: str
    role: str
    password: str
    full_name: str


# Demo credentials are published in the README so visitors can try each role; they are at
# least 12 characters, never contain the username and are not on common-password lists.
DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "administrator", "Granite-Harbor-2417", "Dana Whitfield"),
    DemoUser("officer", "operator", "Cobalt-Meadow-5830", "Luis Ortega"),
    DemoUser("investigator", "investigator", "Lantern-Quarry-9164", "Priya Raman"),
    DemoUser("auditor", "auditor", "Thistle-Beacon-3072", "Margaret Osei"),
    DemoUser("custodian", "custodian", "Saffron-Ledger-6649", "Tom Brennan"),
    DemoUser("partner", "partner", "Juniper-Canyon-1385", "Alex Kim (Oakland PD)"),
)


@dataclasses.dataclass(frozen=True)
class DemoTown:
    """Everything `seed-demo` inserts; `reads` are oldest first and share plate crop bytes."""

    cameras: tuple[DemoCamera, ...]
    reads: tuple[DemoRead, ...]
    hotlist: tuple[DemoHotlistEntry, ...]
    users: tuple[DemoUser, ...]


def build_town(
    *,
    seed: int = 438,
    days: int = 7,
    end: dt.datetime,
    fixed_cameras: int = 12,
    patrol_cars: int = 2,
    reads_per_camera_per_day: int = 300,
) -> DemoTown:
    """Draw the demo town: `days` of reads ending just before `end` (timezone-aware).

    `reads_per_camera_per_day` is an average: busy entrances read more than quiet ones, and a
    partial last day (when `end` is mid-afternoon) reads only its share of the daily curve.
    """
    if end.tzinfo is None or end.utcoffset() is None:
        raise ValueError("end must be timezone-aware")
    if days < 1:
        raise ValueError("days must be at least 1")
    if reads_per_camera_per_day < 0:
        raise ValueError("reads_per_camera_per_day must not be negative")
    end = end.astimezone(dt.UTC)
    # Demo data, not secrets: a seeded generator is what makes the town repeatable.
    rng = random.Random(seed)  # noqa: S311
    sites = camera_sites(fixed_cameras)
    patrols = patrol_cameras(patrol_cars)
    traffic = generate_traffic(
        rng,
        start=end - dt.timedelta(days=days),
        end=end,
        sites=sites,
        patrols=patrols,
        reads_per_camera_per_day=reads_per_camera_per_day,
    )
    return DemoTown(
        cameras=tuple(site.camera for site in sites) + tuple(camera for camera, _ in patrols),
        reads=traffic.reads,
        hotlist=traffic.hotlist,
        users=DEMO_USERS,
    )

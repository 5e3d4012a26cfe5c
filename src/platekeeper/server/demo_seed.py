"""Loading the demo town (platekeeper.demo) into the database for `platekeeper seed-demo`."""

from __future__ import annotations

import datetime as dt
import importlib.resources
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from platekeeper.demo import DemoRead, DemoTown, build_town
from platekeeper.demo.town import camera_sites, patrol_cameras
from platekeeper.geo import geocell
from platekeeper.hotlist_formats import ParsedEntry
from platekeeper.plates import normalize_plate
from platekeeper.server.access.actions import create_user, record_training
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.models import User
from platekeeper.server.access.reports import build_report
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.alerts.actions import raise_alerts
from platekeeper.server.cameras.actions import (
    add_camera,
    issue_device_token,
    revoke_device_tokens,
)
from platekeeper.server.cameras.models import Camera
from platekeeper.server.cases.actions import set_case_number_format
from platekeeper.server.compliance.actions import Officials, name_officials
from platekeeper.server.hotlists.actions import create_hotlist, import_entries
from platekeeper.server.hotlists.models import HotlistCategory, HotlistSource
from platekeeper.server.reads.actions import NewRead, insert_reads
from platekeeper.server.reads.models import Read, ReadSource
from platekeeper.server.records.actions import take_in_request
from platekeeper.server.records.models import RequestKind
from platekeeper.server.retention.purge import purge
from platekeeper.server.sharing.actions import add_agreement, set_sharing
from platekeeper.server.sharing.models import AgreementKind, Scope
from platekeeper.server.transparency.actions import publish_policy

CHUNK = 2000
DEMO_HOTLIST = "CA DOJ stolen vehicles (demo)"
DEMO_PARTNER_AGENCY = "Oakland Police Department"
#: The demo town's layout; `platekeeper demo` lays its simulated traffic out the same way.
FIXED_CAMERAS = 18
PATROL_CARS = 2
#: The Piedmont Police Department's Policy 438, which this software implements and the demo posts.
DEMO_POLICY = importlib.resources.files("platekeeper.demo") / "policy-438.txt"

#: The demo department's case numbers: `26-0438`, or with an agency's prefix as on the demo
#: hotlist (`PPD-26-00438`, `ACSO-26-01180`).
DEMO_CASE_NUMBER_FORMAT = r"(?:[A-Z]{2,4}-)?\d{2}-\d{4,6}"
DEMO_CASE_NUMBER_EXAMPLE = "PPD-26-0438"

#: Who seeds the demo: a system job, which the gate lets make administrative changes.
SEED = Requester.system("demo-seed")


@dataclass(frozen=True)
class SeedSummary:
    town: DemoTown
    reads_stored: int
    already_seeded: bool

    def describe(self) -> str:
        """What the person who ran the command needs: what is there, and how to log in."""
        lines = []
        if self.already_seeded:
            lines.append("The demo town is already in this database; nothing was added.")
        else:
            lines.append(
                f"Seeded the demo town: {len(self.town.cameras)} cameras, "
                f"{self.reads_stored} reads over the last days, "
                f"{len(self.town.hotlist)} stolen vehicles on {DEMO_HOTLIST!r}."
            )
        lines.append("Demo logins (for the demo only; never use these passwords elsewhere):")
        lines.extend(
            f"  {user.role:<14} {user.username:<14} {user.password}" for user in self.town.users
        )
        return "\n".join(lines)


def seed_demo(*, days: int = 7, seed: int = 438, end: dt.datetime | None = None) -> SeedSummary:
    """Create the demo town's cameras and reads once; a second run changes nothing."""
    town = build_town(
        seed=seed,
        days=days,
        end=end or timezone.now(),
        fixed_cameras=FIXED_CAMERAS,
        patrol_cars=PATROL_CARS,
    )
    if is_demo_town():
        return SeedSummary(town=town, reads_stored=0, already_seeded=True)
    with transaction.atomic():
        cameras = {
            demo.name: add_camera(
                demo.name,
                requester=SEED,
                latitude=demo.latitude if demo.kind == "fixed" else None,
                longitude=demo.longitude if demo.kind == "fixed" else None,
                heading=demo.heading if demo.kind == "fixed" else None,
                mobile=demo.kind == "mobile",
            ).camera
            for demo in town.cameras
        }
    _create_users(town)
    _create_sharing()
    _name_officials()
    _take_in_records_request()
    _create_hotlist(town)
    stored = 0
    received_at = timezone.now()
    with Progress(transient=True) as progress:
        task = progress.add_task("Storing demo reads", total=len(town.reads))
        for start in range(0, len(town.reads), CHUNK):
            chunk = town.reads[start : start + CHUNK]
            with transaction.atomic():
                entries = [_new_read(r, cameras, received_at) for r in chunk]
                stored += insert_reads(entries)
                raise_alerts([entry.read for entry in entries])
            progress.advance(task, len(chunk))
    _mark_cameras_seen(town, cameras)
    _keep_the_books()
    return SeedSummary(town=town, reads_stored=stored, already_seeded=False)


def demo_camera_names() -> list[str]:
    """The demo town's cameras by name: the same whatever the seed or the days seeded."""
    return [site.camera.name for site in camera_sites(FIXED_CAMERAS)] + [
        camera.name for camera, _ in patrol_cameras(PATROL_CARS)
    ]


def is_demo_town() -> bool:
    """True when this database holds the demo town (its first camera is registered)."""
    return Camera.objects.filter(name=demo_camera_names()[0]).exists()


def issue_demo_tokens() -> dict[str, str]:
    """A fresh device token for every demo camera, the old ones revoked: the simulated
    cameras of `platekeeper demo` post with them, and a token is never kept after it is shown."""
    tokens = {}
    for camera in Camera.objects.filter(name__in=demo_camera_names(), active=True):
        with transaction.atomic():
            revoke_device_tokens(camera, requester=SEED)
            tokens[camera.name] = issue_device_token(camera, requester=SEED)
    return tokens


def _keep_the_books() -> None:
    """What a department running ALPR for a while has done, so the compliance report of a fresh
    demo is all PASS: the policy posted, a case-number format set, the daily purge run, an
    audit report by the auditor."""
    publish_policy(DEMO_POLICY.read_text(encoding="utf-8"), requester=SEED)
    set_case_number_format(
        DEMO_CASE_NUMBER_FORMAT, example=DEMO_CASE_NUMBER_EXAMPLE, requester=SEED
    )
    purge(requester=SEED)
    today = timezone.localdate()
    build_report(
        "by_purpose",
        requester=Requester.person(User.objects.get(username="auditor"), channel="cli"),
        start=today - dt.timedelta(days=30),
        end=today,
    )


def _mark_cameras_seen(town: DemoTown, cameras: dict[str, Camera]) -> None:
    """Each camera was last heard from at its newest demo read, as if it had posted them."""
    last_seen: dict[str, dt.datetime] = {}
    for read in town.reads:
        last_seen[read.camera_name] = max(
            read.captured_at, last_seen.get(read.camera_name, read.captured_at)
        )
    for name, seen in last_seen.items():
        Camera.objects.filter(pk=cameras[name].pk).update(last_seen_at=seen)


def _create_users(town: DemoTown) -> None:
    """Demo users of every role, each with training completed a month ago (current)."""
    partner_agency, _ = Agency.objects.get_or_create(
        name=DEMO_PARTNER_AGENCY,
        defaults={"ori": "CA0010900", "type": AgencyType.LAW_ENFORCEMENT, "jurisdiction": "CA"},
    )
    trained_on = timezone.localdate() - dt.timedelta(days=30)
    for user in town.users:
        if User.objects.filter(username=user.username).exists():
            continue
        create_user(
            user.username,
            role=Role(user.role),
            password=user.password,
            requester=SEED,
            full_name=user.full_name,
            agency=partner_agency if user.role == Role.PARTNER else None,
        )
        record_training(user.username, completed_on=trained_on, requester=SEED)


def _create_sharing() -> None:
    """An MOU with Oakland PD (the demo partner user's agency) for searches and alerts, on."""
    today = timezone.localdate()
    add_agreement(
        Agency.objects.get(name=DEMO_PARTNER_AGENCY),
        kind=AgreementKind.MOU,
        reference="MOU PPD-OPD 2026-03 (demo)",
        scopes=[Scope.SEARCH, Scope.ALERTS],
        purposes=["stolen_vehicle", "wanted_person", "missing_person", "amber_alert"],
        partner_retention_days=365,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=305),
        approved_by="Chief Jeremy Bowers (demo)",
        approved_on=today - dt.timedelta(days=62),
        requester=SEED,
    )
    set_sharing(True, requester=SEED, reason="Demo: MOU with Oakland PD in effect")


def _name_officials() -> None:
    name_officials(
        Officials(
            administrator_name="Capt. Rhea Santos (demo)",
            administrator_title="Administration Operations Commander",
            designee_name="Lt. Omar Haddad (demo)",
            designee_title="ALPR Program Manager",
            audit_every_days=90,
        ),
        requester=SEED,
    )


def _take_in_records_request() -> None:
    """A public records request waiting for the commander, so the queue shows its deadline."""
    desk = Requester(User.objects.get(username="custodian"), channel="cli", client_address="demo")
    take_in_request(
        desk,
        requester_name="Jordan Ellis (demo)",
        requester_contact="jordan.ellis@example.org",
        kind=RequestKind.PUBLIC_RECORDS,
        data_sought="All ALPR reads of my vehicle, plate 8DMO123, in the last month",
        received_on=timezone.localdate() - dt.timedelta(days=3),
    )


def _create_hotlist(town: DemoTown) -> None:
    """A stolen-vehicle list whose plates the demo cameras read, so the demo has alerts."""
    hotlist = create_hotlist(
        DEMO_HOTLIST,
        requester=SEED,
        source=HotlistSource.STATE,
        category=HotlistCategory.STOLEN_VEHICLE,
        priority=1,
        freshness_hours=0,
    )
    rows = [
        ParsedEntry(
            line=line,
            plate=entry.plate,
            plate_normalized=normalize_plate(entry.plate),
            state=entry.state,
            reason=entry.reason,
            description=entry.description,
            case_number=entry.case_number or "",
        )
        for line, entry in enumerate(town.hotlist, start=1)
    ]
    import_entries(hotlist, rows, requester=SEED, source_name="demo")


def _new_read(demo: DemoRead, cameras: dict[str, Camera], received_at: dt.datetime) -> NewRead:
    read = Read(
        id=demo.id,
        camera=cameras[demo.camera_name],
        source=ReadSource.DEMO,
        plate=demo.plate,
        plate_normalized=normalize_plate(demo.plate),
        state=demo.state,
        confidence=demo.confidence,
        candidates=[{"plate": plate, "confidence": score} for plate, score in demo.candidates],
        captured_at=demo.captured_at,
        received_at=received_at,
        latitude=demo.latitude,
        longitude=demo.longitude,
        geocell=geocell(demo.latitude, demo.longitude),
        heading=demo.heading,
        speed_kmh=demo.speed_kmh,
        vehicle_make=demo.vehicle_make,
        vehicle_color=demo.vehicle_color,
        vehicle_type=demo.vehicle_type,
    )
    return NewRead(read=read, plate_crop=demo.plate_crop, overview=None)

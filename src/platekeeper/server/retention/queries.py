"""Reading the retention schedule, holds and purges; held reads only through the access gate."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from django.apps import apps
from django.db import models
from django.db.models import Count, QuerySet

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Gated,
    Justification,
    Requester,
    authorize,
    held_permission,
    run_gated,
)
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Permission
from platekeeper.server.reads.models import Image, Read
from platekeeper.server.retention.models import (
    Hold,
    HoldItem,
    HoldReason,
    PurgeRun,
    RetentionSettings,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class RetentionKind(enum.StrEnum):
    """A kind of data with its own retention period; the value is the CLI name."""

    READS = "reads"
    IMAGES = "images"
    ALERTED_READS = "alerted-reads"
    ALERTS = "alerts"
    HOTLIST_ENTRIES = "hotlist-entries"
    AUDIT = "audit"

    @property
    def field(self) -> str:
        return f"{self.value.replace('-', '_')}_days"

    @property
    def is_alpr_data(self) -> bool:
        """Collected ALPR data, which Policy 438.4 keeps at least a year."""
        return self in {self.READS, self.IMAGES, self.ALERTED_READS, self.ALERTS}

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    RetentionKind.READS: "Plate reads",
    RetentionKind.IMAGES: "Plate and overview images",
    RetentionKind.ALERTED_READS: "Reads that raised an alert",
    RetentionKind.ALERTS: "Alerts",
    RetentionKind.HOTLIST_ENTRIES: "Hotlist entries after they expire",
    RetentionKind.AUDIT: "Audit log",
}

#: Below these a period needs a recorded override: one year for ALPR data (Policy 438.4,
#: Government Code §34090.6); three years for the audit log, which must outlive its data.
MINIMUM_DAYS = {
    RetentionKind.READS: 365,
    RetentionKind.IMAGES: 365,
    RetentionKind.ALERTED_READS: 365,
    RetentionKind.ALERTS: 365,
    RetentionKind.HOTLIST_ENTRIES: 1,
    RetentionKind.AUDIT: 1095,
}

#: What the purge does for each kind today; the rest wait for the apps that store them.
ENFORCEMENT = {
    RetentionKind.READS: "purged daily",
    RetentionKind.IMAGES: "purged daily (with their reads, or earlier if shorter)",
    RetentionKind.ALERTED_READS: "purged daily, with their alerts",
    RetentionKind.ALERTS: "purged with their reads (the longer of the two periods applies)",
    RetentionKind.HOTLIST_ENTRIES: "purged daily once expired longer than this (matchers reload)",
    RetentionKind.AUDIT: "never purged: the log must outlive its data",
}


class EvidenceError(PlatekeeperError, ValueError):
    """An evidence request cannot be met; the message says why."""


def current_settings() -> RetentionSettings:
    """The retention schedule (created with the policy defaults on first use)."""
    row, _ = RetentionSettings.objects.get_or_create(pk=1)
    return row


@dataclass(frozen=True)
class ScheduleRow:
    kind: RetentionKind
    days: int
    minimum: int
    enforcement: str


@dataclass(frozen=True)
class Schedule:
    """The retention schedule as the compliance and transparency pages and the CLI show it."""

    rows: list[ScheduleRow]
    override_reason: str
    override_by: str
    override_at: dt.datetime | None
    updated_at: dt.datetime | None
    updated_by: str


def retention_schedule() -> Schedule:
    row = current_settings()
    return Schedule(
        rows=[
            ScheduleRow(kind, getattr(row, kind.field), MINIMUM_DAYS[kind], ENFORCEMENT[kind])
            for kind in RetentionKind
        ],
        override_reason=row.override_reason,
        override_by=row.override_by,
        override_at=row.override_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def held_read_ids() -> QuerySet:
    """A subquery of the ids of reads under a standing hold (never purged)."""
    return HoldItem.objects.filter(hold__released_at__isnull=True).values("read_id")


@dataclass(frozen=True)
class HoldSummary:
    """A hold as listed: case, grounds, people and dates; never the plates it holds."""

    id: int
    case_number: str
    reason: str
    reason_label: str
    requested_by: str
    note: str
    placed_by: str
    placed_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str
    release_reason: str
    read_count: int


class _Counted(TypedDict):
    read_count: int


def _hold_summary(hold: WithAnnotations[Hold, _Counted]) -> HoldSummary:
    return HoldSummary(
        id=hold.pk,
        case_number=hold.case_number,
        reason=hold.reason,
        reason_label=HoldReason(hold.reason).label,
        requested_by=hold.requested_by,
        note=hold.note,
        placed_by=hold.placed_by.get_username(),
        placed_at=hold.placed_at,
        released_at=hold.released_at,
        released_by=hold.released_by.get_username() if hold.released_by else "",
        release_reason=hold.release_reason,
        read_count=hold.read_count,
    )


def list_holds(requester: Requester, *, include_released: bool = False) -> list[HoldSummary]:
    """Holds, newest first: counts and grounds only, so no purpose is needed to see them; but
    the cases under hold are not for every role, so the gate asks (role, account, training)."""
    authorize(
        requester,
        permission=held_permission(
            requester, [Permission.PLACE_HOLDS, Permission.MANAGE_RETENTION]
        ),
        justification=ADMINISTRATIVE,
        action="retention.holds_view",
        query={"include_released": include_released},
    )
    return _holds(include_released=include_released)


def _holds(*, include_released: bool = False, case_number: str = "") -> list[HoldSummary]:
    holds = Hold.objects.select_related("placed_by", "released_by").annotate(
        read_count=Count("items")
    )
    if not include_released:
        holds = holds.filter(released_at__isnull=True)
    if case_number:
        holds = holds.filter(case_number=case_number)
    return [_hold_summary(hold) for hold in holds.order_by("-placed_at", "-id")]


def recent_purges(requester: Requester, limit: int = 10) -> list[PurgeRun]:
    """The last purge runs, for whoever keeps the schedule or audits it (the gate asks)."""
    authorize(
        requester,
        permission=held_permission(requester, [Permission.MANAGE_RETENTION, Permission.VIEW_AUDIT]),
        justification=ADMINISTRATIVE,
        action="retention.purges_view",
        query={"limit": limit},
    )
    return list(PurgeRun.objects.order_by("-started_at")[:limit])


# --- Evidence export ---------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceImage:
    sha256: str
    content_type: str
    size_bytes: int
    storage_path: str


@dataclass(frozen=True)
class EvidenceRead:
    """One held read with everything stored about it."""

    id: str
    plate: str
    plate_as_read: str
    state: str
    confidence: float | None
    candidates: list[dict[str, Any]]
    captured_at: dt.datetime
    received_at: dt.datetime
    latitude: float
    longitude: float
    heading: float | None
    speed_kmh: float | None
    plate_box: dict[str, Any] | None
    camera: str
    source: str
    vehicle_make: str
    vehicle_color: str
    vehicle_type: str
    plate_crop: EvidenceImage | None
    overview: EvidenceImage | None


@dataclass(frozen=True)
class EvidenceBundle:
    """What an export contains, handed to the writer inside the gated, audited transaction."""

    case_number: str
    purpose: str
    holds: list[HoldSummary]
    reads: list[EvidenceRead]
    alerts: list[dict[str, Any]] | None


class EvidenceWriter(Protocol):
    """Writes a bundle out and returns what the audit event should record about the files."""

    def __call__(self, bundle: EvidenceBundle) -> dict[str, Any]: ...


def _image(image: Image | None) -> EvidenceImage | None:
    if image is None:
        return None
    return EvidenceImage(image.sha256, image.content_type, image.size_bytes, image.path)


def _evidence_read(read: Read) -> EvidenceRead:
    return EvidenceRead(
        id=str(read.id),
        plate=read.plate_normalized,
        plate_as_read=read.plate,
        state=read.state,
        confidence=read.confidence,
        candidates=read.candidates,
        captured_at=read.captured_at,
        received_at=read.received_at,
        latitude=read.latitude,
        longitude=read.longitude,
        heading=read.heading,
        speed_kmh=read.speed_kmh,
        plate_box=read.plate_box,
        camera=read.camera.name,
        source=read.source,
        vehicle_make=read.vehicle_make,
        vehicle_color=read.vehicle_color,
        vehicle_type=read.vehicle_type,
        plate_crop=_image(read.plate_crop),
        overview=_image(read.overview),
    )


def export_evidence(
    requester: Requester,
    *,
    purpose: str,
    case_number: str,
    write: EvidenceWriter,
    after_audit: Callable[[AuditEvent], None] | None = None,
) -> dict[str, Any]:
    """Hand the held reads of a case to `write`, as one gated access audited with the result.

    The writer runs inside the gate's transaction: if writing fails, nothing is recorded as
    disclosed; if it succeeds, the audit event names every read and the manifest's digest.
    `after_audit` gets that event in the same transaction (a records release links to it).
    """
    case_number = case_number.strip()
    query: dict[str, Any] = {"case": case_number}

    def fetch() -> Gated[dict[str, Any]]:
        holds = _holds(case_number=case_number)
        if not holds:
            raise EvidenceError(f"case {case_number!r} has no standing hold; place one first")
        reads = (
            Read.objects.select_related("camera", "plate_crop", "overview")
            .filter(id__in=held_read_ids().filter(hold__case_number=case_number))
            .order_by("captured_at", "id")
        )
        evidence = [_evidence_read(read) for read in reads]
        bundle = EvidenceBundle(
            case_number=case_number,
            purpose=purpose,
            holds=holds,
            reads=evidence,
            alerts=_alert_context([read.id for read in evidence]),
        )
        written = write(bundle)
        # The event is appended after fetch returns, so what was written lands in it too.
        query.update(written)
        return Gated(written, record_ids=[read.id for read in bundle.reads])

    return run_gated(
        requester,
        permission=Permission.EXPORT_READS,
        justification=Justification(purpose=purpose, case_number=case_number),
        action="retention.evidence_export",
        query=query,
        fetch=fetch,
        after_audit=after_audit,
    )


def _alert_context(read_ids: list[str]) -> list[dict[str, Any]] | None:
    """The alerts the reads raised, with the hotlist entry as copied at the time and every step
    taken on them; None when this installation has no alerts app."""
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:
        return None
    alerts = []
    for alert in alert_model.objects.filter(read_id__in=read_ids).order_by("created_at", "id"):
        row = _fields(alert)
        steps = getattr(alert, "actions", None)
        if steps is not None:
            row["actions"] = [
                {**_fields(step), "user": str(getattr(step, "user", ""))}
                for step in steps.select_related("user").all()
            ]
        alerts.append(row)
    return alerts


def _fields(instance: models.Model) -> dict[str, Any]:
    """Every stored column of a row, by attribute name (so the export follows the model)."""
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}

"""How broad a query is, as its gated call site describes it to the gate, and the comparison
with the department's thresholds (`models.Thresholds`)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from platekeeper.geo import distance_m
from platekeeper.plates import WILDCARDS

if TYPE_CHECKING:
    from platekeeper.server.approvals.models import Thresholds
    from platekeeper.server.investigations.areas import Area


class BreadthKind(enum.StrEnum):
    CANVASS = "canvass"
    PARTIAL = "partial"
    EXPORT = "export"
    SEARCH_BACK = "search_back"
    VEHICLE = "vehicle"

    @property
    def label(self) -> str:
        return BREADTH_LABELS[self]


BREADTH_LABELS = {
    BreadthKind.CANVASS: "Canvass",
    BreadthKind.PARTIAL: "Partial-plate search",
    BreadthKind.EXPORT: "Export",
    BreadthKind.SEARCH_BACK: "Hotlist search-back",
    BreadthKind.VEHICLE: "Vehicle-description search without a plate",
}


@dataclass(frozen=True)
class Breadth:
    """The size of one request along the dimensions the thresholds name; None where a dimension
    does not apply. An export's `rows` are known only once it ran: the gate counts them then."""

    kind: BreadthKind
    radius_m: float | None = None
    hours: float | None = None
    known_chars: int | None = None
    days: float | None = None
    rows: int | None = None

    @classmethod
    def canvass(cls, area: Area, start: dt.datetime, end: dt.datetime) -> Breadth:
        return cls(BreadthKind.CANVASS, radius_m=_reach_m(area), hours=_hours(start, end))

    @classmethod
    def plate_scan(
        cls, pattern: str, start: dt.datetime, end: dt.datetime, *, search_back: bool = False
    ) -> Breadth | None:
        """A search-back, or a partial plate; None for a whole plate (not a broad query)."""
        days = _hours(start, end) / 24
        if search_back:
            return cls(BreadthKind.SEARCH_BACK, days=days)
        if WILDCARDS.isdisjoint(pattern):
            return None
        known = sum(1 for c in pattern if c not in WILDCARDS)
        return cls(BreadthKind.PARTIAL, known_chars=known, days=days)

    def over(self, limits: Thresholds) -> str | None:
        """Why the request is broad under `limits` (naming the threshold), or None."""
        problems = []
        if self.kind is BreadthKind.CANVASS:
            if self.radius_m is not None and self.radius_m > limits.canvass_radius_m:
                problems.append(
                    f"radius {self.radius_m:,.0f} m is over {limits.canvass_radius_m:,} m"
                )
            if self.hours is not None and self.hours > limits.canvass_hours:
                problems.append(f"window {self.hours:,.1f} h is over {limits.canvass_hours:,} h")
        elif self.kind is BreadthKind.PARTIAL:
            few = self.known_chars is not None and self.known_chars < limits.partial_known_chars
            if few and self.days is not None and self.days > limits.partial_days:
                problems.append(
                    f"{self.known_chars} known characters (fewer than "
                    f"{limits.partial_known_chars}) over {self.days:,.1f} days (more than "
                    f"{limits.partial_days})"
                )
        elif self.kind is BreadthKind.EXPORT:
            if self.rows is not None and self.rows > limits.export_rows:
                problems.append(f"{self.rows:,} reads is more than {limits.export_rows:,}")
        elif self.kind is BreadthKind.SEARCH_BACK:
            if self.days is not None and self.days > limits.search_back_days:
                problems.append(
                    f"{self.days:,.1f} days is more than {limits.search_back_days:,} days"
                )
        elif self.kind is BreadthKind.VEHICLE and limits.vehicle_without_plate:
            problems.append("a vehicle description without any plate")
        return f"{self.kind.label}: {'; '.join(problems)}" if problems else None


def _hours(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


def _reach_m(area: Area) -> float:
    """A circle's radius; for a polygon, the distance from its bounding box's centre to a
    corner (the radius of the circle that holds it)."""
    radius = getattr(area, "radius_m", None)
    if radius is not None:
        return float(radius)
    box = area.bounds()
    middle = ((box.min_lat + box.max_lat) / 2, (box.min_lon + box.max_lon) / 2)
    return distance_m(*middle, box.max_lat, box.max_lon)

"""What the recognition engine hands to the rest of platekeeper: frozen, typed results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """One reading of a plate and the engine's confidence in it (0..1, summing to at most 1)."""

    text: str
    confidence: float


@dataclass(frozen=True)
class Box:
    """Where a plate lies in the image: four corners (TL, TR, BR, BL) in pixels."""

    corners: tuple[
        tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]
    ]

    @classmethod
    def from_points(cls, points: Any) -> Box:
        """Build from any (4, 2) sequence of x, y pairs."""
        rows = [(float(x), float(y)) for x, y in points]
        if len(rows) != 4:
            raise ValueError(f"a box needs 4 corners, got {len(rows)}")
        return cls(corners=(rows[0], rows[1], rows[2], rows[3]))

    @classmethod
    def from_bounds(cls, left: float, top: float, right: float, bottom: float) -> Box:
        """The axis-aligned box between `left` and `right`, `top` and `bottom`."""
        return cls.from_points([(left, top), (right, top), (right, bottom), (left, bottom)])

    @property
    def x(self) -> float:
        return min(x for x, _ in self.corners)

    @property
    def y(self) -> float:
        return min(y for _, y in self.corners)

    @property
    def width(self) -> float:
        return max(x for x, _ in self.corners) - self.x

    @property
    def height(self) -> float:
        return max(y for _, y in self.corners) - self.y

    def contains(self, x: float, y: float) -> bool:
        """True when (x, y) lies inside the box's axis-aligned bounds."""
        return self.x <= x <= self.x + self.width and self.y <= y <= self.y + self.height


@dataclass(frozen=True)
class VehicleColor:
    """The colour of the vehicle a plate is on, named, and the engine's confidence (0..1)."""

    name: str
    confidence: float


@dataclass(frozen=True)
class PlateRead:
    """One plate read in one image: the best text, its alternatives, and where it was.

    `text` is upper case A-Z/0-9 without separators and equals `candidates[0].text`;
    `crop` is the rectified plate image (BGR uint8 array) when the engine kept it; `color` is
    the vehicle's colour where the image shows the body around the plate.
    """

    text: str
    confidence: float
    candidates: tuple[Candidate, ...]
    box: Box | None
    region: str = ""
    crop: Any = field(default=None, compare=False, repr=False)
    color: VehicleColor | None = None


@dataclass(frozen=True)
class FrameRead:
    """A plate read in one video frame."""

    frame_index: int
    time_s: float
    read: PlateRead


@dataclass(frozen=True)
class PlateGroup:
    """The same plate over consecutive frames: one read per vehicle pass, with a voted text."""

    text: str
    confidence: float
    candidates: tuple[Candidate, ...]
    first_frame: int
    last_frame: int
    first_time_s: float
    last_time_s: float
    best: FrameRead
    frames: int

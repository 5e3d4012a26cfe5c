"""What a demo vehicle looks like (make, colour, body, year), drawn from its plate alone.

A vehicle's look is a function of its plate text, so the seeded week, the hotlist descriptions
written from it and the live simulator started days later all agree on what car a plate is on:
an officer checking a hit sees the silver Subaru wagon the stolen-vehicle entry describes.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence

from platekeeper.demo.plate_formats import FORMATS, PlateKind

_MAKES: tuple[tuple[str, float], ...] = (
    ("Toyota", 16), ("Honda", 12), ("Tesla", 10), ("Subaru", 8), ("BMW", 7),
    ("Mercedes-Benz", 6), ("Lexus", 6), ("Audi", 5), ("Ford", 5), ("Volkswagen", 4),
    ("Chevrolet", 4), ("Volvo", 4), ("Nissan", 4), ("Hyundai", 3), ("Kia", 3), ("Mazda", 3),
    ("Acura", 2), ("Porsche", 2), ("Jeep", 2), ("Rivian", 1.5),
)  # fmt: skip
_WORK_MAKES: tuple[tuple[str, float], ...] = (
    ("Ford", 10), ("Chevrolet", 5), ("Ram", 5), ("Mercedes-Benz", 4), ("Toyota", 4),
    ("Nissan", 2), ("Isuzu", 1),
)  # fmt: skip
_MOTORCYCLE_MAKES: tuple[tuple[str, float], ...] = (
    ("Harley-Davidson", 4), ("Honda", 4), ("BMW", 3), ("Yamaha", 3), ("Kawasaki", 2),
    ("Ducati", 2), ("Triumph", 2),
)  # fmt: skip
_TYPES: tuple[tuple[str, float], ...] = (
    ("sedan", 34), ("suv", 36), ("hatchback", 9), ("pickup", 7), ("minivan", 6), ("coupe", 4),
    ("wagon", 4),
)  # fmt: skip
_WORK_TYPES: tuple[tuple[str, float], ...] = (("van", 5), ("pickup", 4), ("truck", 1))
_COLOURS: tuple[tuple[str, float], ...] = (
    ("white", 24), ("black", 20), ("gray", 18), ("silver", 13), ("blue", 9), ("red", 8),
    ("green", 3), ("brown", 2), ("beige", 1.5), ("gold", 1), ("orange", 0.5),
)  # fmt: skip
#: Makes that build no pickup: drawn as an SUV instead.
_NO_PICKUPS = frozenset({"Tesla", "Porsche", "Lexus", "Acura"})

OLDEST_MODEL_YEAR = 2006
NEWEST_MODEL_YEAR = 2026


@dataclasses.dataclass(frozen=True)
class VehicleLook:
    """The vehicle description a camera's classifier reports, plus the year for hotlist text."""

    make: str
    colour: str
    body: str
    model_year: int


def _weighted(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([name for name, _ in table], weights=[w for _, w in table])[0]


def look_for(plate: str, kind: PlateKind = "passenger") -> VehicleLook:
    """The look of the vehicle carrying `plate` (of `kind`); the same plate, the same look."""
    # Demo data, not secrets: seeding by the plate is what makes the look repeatable.
    rng = random.Random(f"vehicle:{plate}")  # noqa: S311
    if kind == "motorcycle":
        make, body = _weighted(rng, _MOTORCYCLE_MAKES), "motorcycle"
    elif kind == "commercial":
        make, body = _weighted(rng, _WORK_MAKES), _weighted(rng, _WORK_TYPES)
    else:
        make, body = _weighted(rng, _MAKES), _weighted(rng, _TYPES)
        if make in _NO_PICKUPS and body == "pickup":
            body = "suv"
    return VehicleLook(
        make=make,
        colour=_weighted(rng, _COLOURS),
        body=body,
        model_year=rng.randint(OLDEST_MODEL_YEAR, NEWEST_MODEL_YEAR),
    )


def kind_of(plate: str, state: str | None) -> PlateKind:
    """The kind of plate `plate` is in `state` by its shape; passenger when nothing matches."""
    for plate_format in FORMATS:
        if plate_format.state == state and plate_format.pattern.match(plate):
            return plate_format.kind
    return "passenger"

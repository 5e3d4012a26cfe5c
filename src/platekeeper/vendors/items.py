"""Building read items (the `platekeeper.wire.ReadItem.to_json()` form) from vendor fields.

The mapping is faithful, not judging: a read with a poor confidence is still a read.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

#: Read ids are uuid5 names under this namespace. Never change it: resending a vendor message must
#: produce the ids already stored, or the server would store the same read twice.
READ_ID_NAMESPACE = uuid.UUID("31cf325b-d907-410e-ac5b-487dd282b036")

# fmt: off
# (two-letter codes read best as a table, which the formatter would unroll one per line)
US_STATE_CODES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN",
    "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH",
    "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VT", "VA", "WA", "WV", "WI", "WY", "PR", "GU", "VI", "AS", "MP",
})
CANADIAN_PROVINCE_CODES = frozenset({
    "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT",
})
# fmt: on


def read_item(
    *,
    read_id: str,
    plate: str,
    captured_at: dt.datetime,
    latitude: float | None = None,
    longitude: float | None = None,
    candidates: Sequence[dict[str, Any]] = (),
    plate_box: dict[str, int] | None = None,
    **optional: Any,
) -> dict[str, Any]:
    """Assemble an item, leaving out what the vendor did not send.

    Latitude and longitude are always present, None when unknown, so the server sees that it
    must use the camera's place.
    """
    item: dict[str, Any] = {
        "id": read_id,
        "plate": plate,
        "captured_at": iso_utc(captured_at),
        "latitude": latitude,
        "longitude": longitude,
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    if candidates:
        item["candidates"] = list(candidates)
    if plate_box is not None:
        item["plate_box"] = plate_box
    return item


def read_id(*parts: object) -> str:
    """A deterministic id, so a resent message is recognised by the server as a duplicate."""
    name = "\x1f".join("" if part is None else str(part) for part in parts)
    return str(uuid.uuid5(READ_ID_NAMESPACE, name))


def iso_utc(moment: dt.datetime) -> str:
    # Same spelling as ReadItem.to_json(), so a resent read compares equal.
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def state_from_region(code: Any, *, bare_code_is_state: bool) -> str | None:
    """Return a US state or Canadian province code from a vendor region code, else None.

    `us-ca` gives `CA` and `ca-qc` gives `QC`; other countries' subdivisions are left out. A bare
    code is a country for most vendors and is left out, because two-letter country codes
    collide with state codes (`ca` is Canada, not California; `de` is Germany, not Delaware).
    OpenALPR's US model reports bare state codes (`mo`); the caller says when to trust them.
    """
    if not isinstance(code, str) or not code.strip():
        return None
    code = code.strip().upper()
    if "-" in code:
        nation, _, subdivision = code.partition("-")
        if nation == "US" and subdivision in US_STATE_CODES:
            return subdivision
        if nation == "CA" and subdivision in CANADIAN_PROVINCE_CODES:
            return subdivision
        return None
    if bare_code_is_state and code in US_STATE_CODES:
        return code
    return None


def box_around(xs: Sequence[int], ys: Sequence[int]) -> dict[str, int] | None:
    """The upright box around the given corners, or None without corners."""
    if not xs:
        return None
    return {"x": min(xs), "y": min(ys), "width": max(xs) - min(xs), "height": max(ys) - min(ys)}


def top_label(guesses: Iterable[tuple[str | None, float | None]]) -> str | None:
    """The label with the highest score among `(label, score)` guesses; unscored ones rank last."""
    best_label, best_score = None, -math.inf
    for label, score in guesses:
        ranked = -math.inf if score is None else score
        if label and (best_label is None or ranked > best_score):
            best_label, best_score = label, ranked
    return best_label


def percent(value: float | None) -> float | None:
    """Scores of 0..100 as items carry them, 0..1."""
    return None if value is None else value / 100

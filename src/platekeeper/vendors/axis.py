"""Axis License Plate Verifier: its HTTP push events.

Fields: the push event JSON of AXIS License Plate Verifier (developer.axis.com/vapix/
applications/license-plate-verifier-api, "Push events"; field table of its maker FF Group's
protocol 1.6): `datetime` as `YYYYMMDD HHMMSSFFF` with an optional `+HHMM` offset,
`plateUTF8` / `plateText`, `plateCountry` (ISO 3166 alpha-3), `plateConfidence` 0..1,
`carState` (`new`, `updated`, `lost`), `carID` (the camera's id for one vehicle pass),
`sensorProviderID` (the camera's name), `geotag` `{lat, lon}`, `plateCoordinates`
`[left, top, width, height]`, `carMoveDirection`. The application does not sign its pushes; the
device token authenticates them.

A pass gives a `new` event, an `updated` one when the direction or the text changes, and a
`lost` one after the plate leaves. The read id is the camera, the pass and the text, so an
update that only adds the direction is a duplicate, a corrected text is a read of its own
(both readings stay visible), and `lost`, which repeats the last reading, gives none.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from platekeeper.vendors.items import read_id, read_item
from platekeeper.vendors.models import Identifier, Number, Pixel, Plate, Text, VendorModel, parse
from platekeeper.vendors.registry import Vendor, VendorMessage, VendorPayloadError, register_vendor

_DATETIME = re.compile(r"^(\d{8}) (\d{6})(\d{3})([+-]\d{4})?$")


class Geotag(VendorModel):
    lat: Number | None = None
    lon: Number | None = None


class PushEvent(VendorModel):
    datetime: Text
    plateUTF8: Plate | None = None
    plateText: Plate | None = None
    plateConfidence: Number | None = None
    carState: Text
    carID: Identifier = None
    sensorProviderID: Identifier = None
    geotag: Geotag = Geotag()
    plateCoordinates: list[Pixel] | None = None


def to_items(message: VendorMessage) -> list[dict[str, Any]]:
    event = parse(PushEvent, message.document)
    if event.carState == "lost":
        return []
    plate = event.plateUTF8 or event.plateText
    if not plate:
        raise VendorPayloadError("plateText is missing")
    latitude, longitude = event.geotag.lat, event.geotag.lon
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        latitude = longitude = None
    box = event.plateCoordinates
    if box is not None and len(box) != 4:
        raise VendorPayloadError("plateCoordinates must be [left, top, width, height]")
    return [
        read_item(
            read_id=read_id("axis", event.sensorProviderID, event.carID, plate),
            plate=plate,
            captured_at=parse_datetime(event.datetime),
            latitude=latitude,
            longitude=longitude,
            confidence=event.plateConfidence,
            plate_box=None
            if box is None
            else dict(zip(("x", "y", "width", "height"), box, strict=True)),
        )
    ]


def parse_datetime(text: str) -> dt.datetime:
    """`20240912 154302123+0200`; without an offset the time is taken as UTC (set the camera so)."""
    match = _DATETIME.match(text.strip())
    if match is None:
        raise VendorPayloadError(f"datetime is not YYYYMMDD HHMMSSFFF: {text!r}")
    day, clock, millis, offset = match.groups()
    try:
        moment = dt.datetime.strptime(f"{day}{clock}{offset or '+0000'}", "%Y%m%d%H%M%S%z")
    except ValueError:
        raise VendorPayloadError(f"datetime is not a valid time: {text!r}") from None
    return moment + dt.timedelta(milliseconds=int(millis))


register_vendor(
    Vendor(
        name="axis",
        label="Axis License Plate Verifier",
        summary="Axis License Plate Verifier push event",
        to_items=to_items,
    )
)

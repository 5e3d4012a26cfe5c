"""Maps OpenALPR/Rekor and Plate Recognizer webhook payloads onto read items. Standard library only.

Each function turns one vendor message into the JSON objects that `POST /api/v1/reads` takes
(the field names of `platekeeper.wire.ReadItem.to_json()`), so the server can validate a vendor's
reads exactly as it validates its own. The mapping is faithful, not judging: a read with a poor
confidence is still a read. A payload that is not of the vendor's shape raises
`VendorPayloadError` naming the field.

Where the field names come from:

- OpenALPR / Rekor Scout agent: the "JSON Plate Results", "JSON Group Results" and "JSON
  Heartbeat" sections of the OpenALPR docs (github.com/openalpr/doc,
  source/app_integration.include; republished at docs.rekor.ai/scout/application-integration/),
  which add `gps_latitude`, `gps_longitude` and `vehicle_crop_jpeg` in the agent 2.7 version.
  The `vehicle` object (`color`, `make`, `make_model`, `body_type`, `year`, `orientation`, each a
  list of `{name, confidence}`), `is_preview`, `best_uuid_epoch_ms`, `overview_jpeg` and the
  `{"openalpr_webhook": "test"}` ping follow the receiver models of
  github.com/mlapaglia/OpenAlprWebhookProcessor (WebhookProcessor/OpenAlprWebhook/*.cs,
  WebhookController.cs). `alpr_alert` and `is_preview` are described in Rekor's help articles
  (help.rekor.ai: "receive data ... using webhooks", "set up real-time group results").
- Plate Recognizer: guides.platerecognizer.com/docs/snapshot/results (Snapshot webhooks:
  `hook.event` "image.done", the "Webhook with Image" multipart variant with a `json` field and an
  `upload` JPEG file), guides.platerecognizer.com/docs/stream/results (Stream output fields) and
  the Stream webhook sample published by Plate Recognizer staff (gist.github.com/danleyb2,
  6d2220c1eae6d9b57a9d246df873dcb7: `hook.event` "recognition", `data.timestamp` in UTC with a
  `Z`, candidates without a score, `direction` that may be an empty string).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

#: Read ids are uuid5 names under this namespace. Never change it: resending a vendor message must
#: produce the ids already stored, or the server would store the same read twice.
READ_ID_NAMESPACE = uuid.UUID("31cf325b-d907-410e-ac5b-487dd282b036")

#: OpenALPR message types that never describe a new read. Heartbeats are health reports;
#: `vehicle` messages describe vehicles seen without a readable plate; an `alpr_alert` wraps a
#: group the agent also sends on its own as `alpr_group`, and platekeeper does its own hotlist
#: matching.
OPENALPR_TYPES_WITHOUT_READS = frozenset({"heartbeat", "vehicle", "alpr_alert"})

#: Plate Recognizer `hook.event` values whose `data.results` are plate reads: Stream sends
#: "recognition", Snapshot sends "image.done".
PLATERECOGNIZER_READ_EVENTS = frozenset({"recognition", "image.done"})

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


class VendorPayloadError(ValueError):
    """Raised when a vendor payload is not of the vendor's documented shape; names the field."""


def openalpr_to_items(payload: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    """Map one OpenALPR / Rekor Scout agent message onto read items.

    Returns the items and the vendor's camera identifier (`camera_id`, else `agent_uid`).
    `alpr_group` (one vehicle pass) gives one item; `alpr_results` (one video frame) gives one item
    per plate in the frame. Heartbeats, `vehicle` and `alpr_alert` messages, the web server's test
    ping and group previews carry no new read and give an empty list. An unknown `data_type`
    raises, so a new message kind is noticed instead of silently dropped.
    """
    message = _object(payload, "payload")
    camera = _openalpr_camera(message)
    if "data_type" not in message:
        if "openalpr_webhook" in message:
            # The web server's "test webhook" button sends only {"openalpr_webhook": "test"}.
            return [], camera
        raise VendorPayloadError("data_type is missing")
    data_type = _string(message["data_type"], "data_type")
    if data_type == "alpr_group":
        if message.get("is_preview") is True:
            # Previews are sent while the vehicle is still in view, and the final group follows
            # with a possibly different best frame; keeping both would store the pass twice.
            return [], camera
        return [_openalpr_group_item(message)], camera
    if data_type == "alpr_results":
        return _openalpr_frame_items(message), camera
    if data_type in OPENALPR_TYPES_WITHOUT_READS:
        return [], camera
    raise VendorPayloadError(f"data_type {data_type!r} is not an OpenALPR message type we know")


def platerecognizer_to_items(
    payload: Mapping[str, Any], image: bytes | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Map one Plate Recognizer Snapshot or Stream webhook onto read items, one per result.

    `payload` is the JSON body, or the parsed `json` field of the multipart "webhook with image"
    variant; `image` is that variant's `upload` file, attached to every item as `overview` (the
    plate boxes are in its pixels). Returns the items and `data.camera_id`.
    """
    message = _object(payload, "payload")
    hook = message.get("hook")
    if hook is not None:
        event = _object(hook, "hook").get("event")
        if not isinstance(event, str) or event not in PLATERECOGNIZER_READ_EVENTS:
            raise VendorPayloadError(
                f"hook.event {event!r} is not a Plate Recognizer recognition event"
            )
    if "data" not in message:
        raise VendorPayloadError("data is missing")
    data = _object(message["data"], "data")
    camera = _optional_identifier(data.get("camera_id"), "data.camera_id")
    captured_at = _parse_timestamp(_required(data, "timestamp", "data."), "data.timestamp")
    results = _list(_required(data, "results", "data."), "data.results")
    overview = base64.b64encode(image).decode("ascii") if image else None
    items = [
        _platerecognizer_item(
            _object(result, f"data.results[{index}]"),
            f"data.results[{index}].",
            camera=camera,
            captured_at=captured_at,
            overview=overview,
        )
        for index, result in enumerate(results)
    ]
    return items, camera


# --- OpenALPR ------------------------------------------------------------------------------


def _openalpr_camera(message: Mapping[str, Any]) -> str | None:
    camera = _optional_identifier(message.get("camera_id"), "camera_id")
    if camera is not None:
        return camera
    return _optional_identifier(message.get("agent_uid"), "agent_uid")


def _openalpr_group_item(group: Mapping[str, Any]) -> dict[str, Any]:
    plate = _plate(_required(group, "best_plate_number"), "best_plate_number")
    best_uuid = _string(_required(group, "best_uuid"), "best_uuid")
    # The best frame's own time when the agent sends it (2.7+); otherwise the first sighting.
    if group.get("best_uuid_epoch_ms") is not None:
        captured_at = _from_epoch_ms(group["best_uuid_epoch_ms"], "best_uuid_epoch_ms")
    else:
        captured_at = _from_epoch_ms(_required(group, "epoch_start"), "epoch_start")
    best_plate = _optional_object(group.get("best_plate"), "best_plate")
    confidence = group.get("best_confidence", best_plate.get("confidence"))

    if "candidates" in group:
        candidates = _openalpr_candidates(group["candidates"], "candidates")
    else:
        candidates = _openalpr_candidates(best_plate.get("candidates"), "best_plate.candidates")
    plate_box = _box_from_corners(best_plate.get("coordinates"), "best_plate.coordinates")

    overview = _optional_image(group.get("overview_jpeg"), "overview_jpeg")
    if overview is None:
        # Without the full frame the vehicle crop is the best picture of the pass, but the plate
        # box is in full-frame pixels and would point at the wrong place on the crop.
        overview = _optional_image(group.get("vehicle_crop_jpeg"), "vehicle_crop_jpeg")
        if overview is not None:
            plate_box = None

    vehicle = _optional_object(group.get("vehicle"), "vehicle")
    region = group.get("best_region", best_plate.get("region"))
    latitude, longitude = _openalpr_position(group)
    return _item(
        read_id=_read_id(
            "openalpr", "alpr_group", group.get("agent_uid"), group.get("camera_id"), best_uuid
        ),
        plate=plate,
        captured_at=captured_at,
        latitude=latitude,
        longitude=longitude,
        confidence=_percent(confidence, "best_confidence"),
        state=_state_from_region(region, bare_code_is_state=group.get("country") in (None, "us")),
        candidates=candidates,
        plate_box=plate_box,
        plate_crop=_optional_image(best_plate.get("plate_crop_jpeg"), "best_plate.plate_crop_jpeg"),
        overview=overview,
        vehicle_make=_openalpr_top_name(vehicle.get("make"), "vehicle.make"),
        vehicle_color=_openalpr_top_name(vehicle.get("color"), "vehicle.color"),
        vehicle_type=_openalpr_top_name(vehicle.get("body_type"), "vehicle.body_type"),
    )


def _openalpr_frame_items(frame: Mapping[str, Any]) -> list[dict[str, Any]]:
    frame_uuid = _string(_required(frame, "uuid"), "uuid")
    captured_at = _from_epoch_ms(_required(frame, "epoch_time"), "epoch_time")
    results = _list(_required(frame, "results"), "results")
    latitude, longitude = _openalpr_position(frame)
    items = []
    for index, raw in enumerate(results):
        where = f"results[{index}]"
        result = _object(raw, where)
        items.append(
            _item(
                # A frame can hold several plates, so the position in the frame is part of the id.
                read_id=_read_id(
                    "openalpr",
                    "alpr_results",
                    frame.get("agent_uid"),
                    frame.get("camera_id"),
                    frame_uuid,
                    index,
                ),
                plate=_plate(_required(result, "plate", f"{where}."), f"{where}.plate"),
                captured_at=captured_at,
                latitude=latitude,
                longitude=longitude,
                confidence=_percent(result.get("confidence"), f"{where}.confidence"),
                state=_state_from_region(
                    result.get("region"), bare_code_is_state=frame.get("country") in (None, "us")
                ),
                candidates=_openalpr_candidates(result.get("candidates"), f"{where}.candidates"),
                plate_box=_box_from_corners(result.get("coordinates"), f"{where}.coordinates"),
                plate_crop=_optional_image(
                    result.get("plate_crop_jpeg"), f"{where}.plate_crop_jpeg"
                ),
            )
        )
    return items


def _openalpr_position(message: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """Return the agent's GPS fix, or (None, None) when it has none.

    Agents without a GPS receiver report 0/0; the caller falls back to the camera's fixed place.
    """
    latitude = _optional_number(message.get("gps_latitude"), "gps_latitude")
    longitude = _optional_number(message.get("gps_longitude"), "gps_longitude")
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return None, None
    return latitude, longitude


def _openalpr_candidates(raw: Any, where: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    candidates = []
    for index, entry in enumerate(_list(raw, where)):
        candidate = _object(entry, f"{where}[{index}]")
        candidates.append(
            {
                "plate": _plate(
                    _required(candidate, "plate", f"{where}[{index}]."), f"{where}[{index}].plate"
                ),
                "confidence": _percent(
                    _required(candidate, "confidence", f"{where}[{index}]."),
                    f"{where}[{index}].confidence",
                ),
            }
        )
    return candidates


def _openalpr_top_name(raw: Any, where: str) -> str | None:
    """Return the most confident `name` of an OpenALPR vehicle attribute list."""
    return _top_label(raw, where, label_key="name", score_key="confidence")


def _percent(value: Any, where: str) -> float | None:
    """OpenALPR scores are 0..100; items carry 0..1."""
    number = _optional_number(value, where)
    return None if number is None else number / 100


# --- Plate Recognizer ----------------------------------------------------------------------


def _platerecognizer_item(
    result: Mapping[str, Any],
    where: str,
    *,
    camera: str | None,
    captured_at: dt.datetime,
    overview: str | None,
) -> dict[str, Any]:
    plate = _plate(_required(result, "plate", where), f"{where}plate")
    box = result.get("box")
    plate_box = None if box is None else _box_from_extent(box, f"{where}box")
    region = result.get("region")
    code = None if region is None else _object(region, f"{where}region").get("code")
    vehicle = _optional_object(result.get("vehicle"), f"{where}vehicle")
    vehicle_type = vehicle.get("type")
    if vehicle_type is not None:
        vehicle_type = _string(vehicle_type, f"{where}vehicle.type") or None
    box_key = None if plate_box is None else tuple(plate_box.values())
    return _item(
        read_id=_read_id("platerecognizer", camera, _iso_utc(captured_at), plate, box_key),
        plate=plate,
        captured_at=captured_at,
        latitude=None,
        longitude=None,
        confidence=_optional_number(result.get("score"), f"{where}score"),
        # Plate Recognizer's bare codes (`gb`, `ca`) are countries, never states.
        state=_state_from_region(code, bare_code_is_state=False),
        candidates=_platerecognizer_candidates(result.get("candidates"), f"{where}candidates"),
        plate_box=plate_box,
        overview=overview,
        vehicle_make=_top_label(
            result.get("model_make"), f"{where}model_make", label_key="make", score_key="score"
        ),
        vehicle_color=_top_label(
            result.get("color"), f"{where}color", label_key="color", score_key="score"
        ),
        vehicle_type=vehicle_type,
    )


def _platerecognizer_candidates(raw: Any, where: str) -> list[dict[str, Any]]:
    if raw is None:
        return []
    candidates = []
    for index, entry in enumerate(_list(raw, where)):
        candidate = _object(entry, f"{where}[{index}]")
        plate = _plate(
            _required(candidate, "plate", f"{where}[{index}]."), f"{where}[{index}].plate"
        )
        score = _optional_number(candidate.get("score"), f"{where}[{index}].score")
        # Stream sends candidates without a score; a candidate item needs one, and inventing a
        # number would mislead whoever ranks them, so those alternatives are left out.
        if score is not None:
            candidates.append({"plate": plate, "confidence": score})
    return candidates


# --- Shared helpers ------------------------------------------------------------------------


def _item(
    *,
    read_id: str,
    plate: str,
    captured_at: dt.datetime,
    latitude: float | None,
    longitude: float | None,
    candidates: list[dict[str, Any]] | None = None,
    plate_box: dict[str, int] | None = None,
    **optional: Any,
) -> dict[str, Any]:
    """Assemble an item in `ReadItem.to_json()` form, leaving out what the vendor did not send.

    Latitude and longitude are always present, None when unknown, so the caller sees that it
    must supply the camera's place.
    """
    item: dict[str, Any] = {
        "id": read_id,
        "plate": plate,
        "captured_at": _iso_utc(captured_at),
        "latitude": latitude,
        "longitude": longitude,
    }
    item.update({key: value for key, value in optional.items() if value is not None})
    if candidates:
        item["candidates"] = candidates
    if plate_box is not None:
        item["plate_box"] = plate_box
    return item


def _read_id(*parts: object) -> str:
    """A deterministic id, so a resent webhook is recognised by the server as a duplicate."""
    name = "\x1f".join("" if part is None else str(part) for part in parts)
    return str(uuid.uuid5(READ_ID_NAMESPACE, name))


def _iso_utc(moment: dt.datetime) -> str:
    # Same spelling as ReadItem.to_json(), so a resent read compares equal.
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _from_epoch_ms(value: Any, where: str) -> dt.datetime:
    milliseconds = _number(value, where)
    try:
        return dt.datetime.fromtimestamp(milliseconds / 1000, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise VendorPayloadError(f"{where} is not a time in milliseconds: {value!r}") from error


def _parse_timestamp(value: Any, where: str) -> dt.datetime:
    """Parse Plate Recognizer's ISO-8601 times.

    Stream sends `2021-09-29T05:56:13.606935Z`; Snapshot sends `2025-09-09 23:22:38.030345`,
    the request time in UTC without an offset, so a time without an offset is taken as UTC.
    """
    text = _string(value, where)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as error:
        raise VendorPayloadError(f"{where} is not an ISO-8601 time: {text!r}") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


def _state_from_region(code: Any, *, bare_code_is_state: bool) -> str | None:
    """Return a US state or Canadian province code from a vendor region code, else None.

    `us-ca` gives `CA` and `ca-qc` gives `QC`; other countries' subdivisions are left out. A bare
    code is a country for Plate Recognizer and is left out, because two-letter country codes
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


def _box_from_corners(raw: Any, where: str) -> dict[str, int] | None:
    """Turn OpenALPR's four plate corners into the upright box around them."""
    if raw is None:
        return None
    corners = _list(raw, where)
    if not corners:
        return None
    xs, ys = [], []
    for index, entry in enumerate(corners):
        corner = _object(entry, f"{where}[{index}]")
        xs.append(_integer(_required(corner, "x", f"{where}[{index}]."), f"{where}[{index}].x"))
        ys.append(_integer(_required(corner, "y", f"{where}[{index}]."), f"{where}[{index}].y"))
    return {"x": min(xs), "y": min(ys), "width": max(xs) - min(xs), "height": max(ys) - min(ys)}


def _box_from_extent(raw: Any, where: str) -> dict[str, int]:
    box = _object(raw, where)
    xmin, ymin, xmax, ymax = (
        _integer(_required(box, key, f"{where}."), f"{where}.{key}")
        for key in ("xmin", "ymin", "xmax", "ymax")
    )
    return {"x": xmin, "y": ymin, "width": xmax - xmin, "height": ymax - ymin}


def _top_label(raw: Any, where: str, *, label_key: str, score_key: str) -> str | None:
    """Return the label with the highest score from a list of `{label_key, score_key}` guesses."""
    if raw is None:
        return None
    best_label, best_score = None, -math.inf
    for index, entry in enumerate(_list(raw, where)):
        guess = _object(entry, f"{where}[{index}]")
        label = guess.get(label_key)
        if label is None:
            continue
        label = _string(label, f"{where}[{index}].{label_key}")
        score = _optional_number(guess.get(score_key), f"{where}[{index}].{score_key}")
        score = -math.inf if score is None else score
        if label and (best_label is None or score > best_score):
            best_label, best_score = label, score
    return best_label


def _optional_image(value: Any, where: str) -> str | None:
    """Vendors send JPEGs already base64-encoded; pass the text through untouched."""
    if value is None or value == "":
        return None
    return _string(value, where)


def _optional_identifier(value: Any, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise VendorPayloadError(f"{where} must be a string or an integer, not {value!r}")
    return str(value)


def _required(mapping: Mapping[str, Any], key: str, prefix: str = "") -> Any:
    if mapping.get(key) is None:
        raise VendorPayloadError(f"{prefix}{key} is missing")
    return mapping[key]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise VendorPayloadError(f"{where} must be a JSON object, not {type(value).__name__}")
    return value


def _optional_object(value: Any, where: str) -> Mapping[str, Any]:
    return {} if value is None else _object(value, where)


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise VendorPayloadError(f"{where} must be a list, not {type(value).__name__}")
    return value


def _plate(value: Any, where: str) -> str:
    """Plate Recognizer sends lower case; items carry plates as printed, in upper case."""
    return _string(value, where).strip().upper()


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise VendorPayloadError(f"{where} must be a string, not {type(value).__name__}")
    return value


def _number(value: Any, where: str) -> float:
    # bool is an int in Python, but `true` is never a meaningful score or coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise VendorPayloadError(f"{where} must be a number, not {value!r}")
    return float(value)


def _optional_number(value: Any, where: str) -> float | None:
    return None if value is None else _number(value, where)


def _integer(value: Any, where: str) -> int:
    number = _number(value, where)
    if not number.is_integer():
        raise VendorPayloadError(f"{where} must be a whole number of pixels, not {value!r}")
    return int(number)

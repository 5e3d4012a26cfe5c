"""Verkada: the `lpr` webhook of Verkada Command, signed with the webhook's shared secret.

Fields: apidocs.verkada.com/v1/reference/lpr (`webhook_type` "lpr", `data.camera_id`,
`data.created` in Unix seconds, `data.detected` in milliseconds, `data.license_plate_number`,
`data.license_plate_state` such as `us-ca`, `data.confidence` 0..1, `data.image_url`).
Signature: apidocs.verkada.com/reference/securing-webhooks: the `Verkada-Signature` header is
`TIMESTAMP|HEX`, the hex HMAC-SHA256, keyed by the shared secret, of the raw body, `|` and the
timestamp. Verkada sends other webhook types to the same URL when the webhook's scope includes
them; they carry no read.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

from platekeeper.vendors.items import read_id, read_item, state_from_region
from platekeeper.vendors.models import (
    Identifier,
    Number,
    Plate,
    Text,
    VendorModel,
    from_epoch,
    parse,
)
from platekeeper.vendors.registry import (
    Vendor,
    VendorMessage,
    VendorSignatureError,
    register_vendor,
)

SIGNATURE_HEADER = "Verkada-Signature"
#: How old (or how far ahead) a signature's timestamp may be: older ones may be replays.
SIGNATURE_TOLERANCE_SECONDS = 300


class Kind(VendorModel):
    webhook_type: Text


class Detection(VendorModel):
    camera_id: Identifier = None
    created: Number
    detected: Number | None = None
    license_plate_number: Plate
    license_plate_state: Any = None
    confidence: Number | None = None


class LprWebhook(VendorModel):
    webhook_type: Text
    data: Detection


def to_items(message: VendorMessage) -> list[dict[str, Any]]:
    """One read per `lpr` webhook; other webhook types give none."""
    if parse(Kind, message.document).webhook_type != "lpr":
        return []
    data = parse(LprWebhook, message.document).data
    # `detected` (milliseconds) is the more precise time of the same sighting when sent.
    if data.detected is not None:
        captured_at = from_epoch(data.detected, "data.detected", scale=1000)
    else:
        captured_at = from_epoch(data.created, "data.created")
    return [
        read_item(
            read_id=read_id("verkada", data.camera_id, data.created, data.license_plate_number),
            plate=data.license_plate_number,
            captured_at=captured_at,
            confidence=data.confidence,
            state=state_from_region(data.license_plate_state, bare_code_is_state=False),
        )
    ]


def verify(message: VendorMessage, secret: str) -> None:
    """Check `Verkada-Signature` against the shared secret and the clock."""
    header = message.headers.get(SIGNATURE_HEADER)
    if not header:
        raise VendorSignatureError(f"{SIGNATURE_HEADER} header is missing")
    timestamp, _, signature = header.partition("|")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise VendorSignatureError(f"{SIGNATURE_HEADER} does not start with a timestamp") from None
    if abs(time.time() - sent_at) > SIGNATURE_TOLERANCE_SECONDS:
        raise VendorSignatureError(
            f"{SIGNATURE_HEADER} timestamp is more than {SIGNATURE_TOLERANCE_SECONDS} s "
            "from now (a replay, or a wrong clock)"
        )
    expected = sign(message.body, timestamp, secret)
    if not hmac.compare_digest(expected, signature.strip().lower()):
        raise VendorSignatureError(f"{SIGNATURE_HEADER} does not match the shared secret")


def sign(body: bytes, timestamp: str, secret: str) -> str:
    """The signature Verkada sends for `body` at `timestamp` (also how tests sign)."""
    signed = body + b"|" + timestamp.encode("ascii")
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


register_vendor(
    Vendor(
        name="verkada",
        label="Verkada",
        summary="Verkada LPR webhook",
        to_items=to_items,
        verify=verify,
        secret_variable="PLATEKEEPER_VERKADA_SECRET",  # noqa: S106 - a variable name, not a secret
    )
)

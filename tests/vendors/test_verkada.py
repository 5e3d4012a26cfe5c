"""Verkada LPR webhooks: the documented sample becomes one read; signatures are checked."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest

from platekeeper.vendors import VendorMessage, VendorPayloadError, VendorSignatureError, verkada
from tests.vendors.support import assert_canonical

SECRET = "shared-secret-from-command"


def lpr_webhook(**data: Any) -> dict[str, Any]:
    """Verkada's documented sample (apidocs.verkada.com/v1/reference/lpr)."""
    return {
        "org_id": "01ec0956-b7cf-415d-bd78-43c8d373cd65",
        "webhook_type": "lpr",
        "created_at": 1758302865,
        "webhook_id": "a73b17d4-d7ae-4631-8365-d72776bd5f4c",
        "data": {
            "camera_id": "38718198-8a78-4718-a60f-68e1a8de30ac",
            "created": 1758302864,
            "detected": 1758302865879,
            "license_plate_number": "ABCD123",
            "confidence": 0.9630414285714286,
            "crop": [0.3066789507865906, 0.3320710361003876, 0.5294789671897888, 0.558437705039978],
            "image_url": "IMAGE_URL",
            "license_plate_state": "us-ca",
            **data,
        },
    }


def signed(document: dict[str, Any], *, secret: str = SECRET, at: int | None = None):
    body = json.dumps(document).encode()
    timestamp = str(int(time.time()) if at is None else at)
    header = f"{timestamp}|{verkada.sign(body, timestamp, secret)}"
    return VendorMessage(document, headers={"Verkada-Signature": header}, body=body)


def test_an_lpr_webhook_is_one_read_with_state_and_confidence() -> None:
    [item] = verkada.to_items(VendorMessage(lpr_webhook()))

    assert_canonical(item)
    assert (item["plate"], item["state"]) == ("ABCD123", "CA")
    assert item["confidence"] == pytest.approx(0.963, abs=0.001)
    assert item["captured_at"] == "2025-09-19T17:27:45.879000Z"  # `detected`, in ms
    assert (item["latitude"], item["longitude"]) == (None, None)


def test_without_detected_the_created_second_is_the_time() -> None:
    document = lpr_webhook()
    del document["data"]["detected"]

    [item] = verkada.to_items(VendorMessage(document))

    assert item["captured_at"] == "2025-09-19T17:27:44Z"


def test_a_resent_webhook_has_the_same_read_id() -> None:
    [first] = verkada.to_items(VendorMessage(lpr_webhook()))
    [again] = verkada.to_items(VendorMessage(lpr_webhook(created_at=1758302999)))
    [other] = verkada.to_items(VendorMessage(lpr_webhook(camera_id="another-camera")))

    assert first["id"] == again["id"] != other["id"]


def test_other_webhook_types_carry_no_read() -> None:
    assert verkada.to_items(VendorMessage({"webhook_type": "notification", "data": {}})) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["data"].pop("license_plate_number"), "data.license_plate_number"),
        (lambda d: d["data"].update(created="yesterday"), "data.created"),
        (lambda d: d["data"].update(confidence=True), "data.confidence"),
        (lambda d: d.pop("data"), "data"),
        (lambda d: d.pop("webhook_type"), "webhook_type"),
    ],
)
def test_malformed_webhook_names_the_field(change: Any, field: str) -> None:
    document = lpr_webhook()
    change(document)

    with pytest.raises(VendorPayloadError) as raised:
        verkada.to_items(VendorMessage(document))

    assert str(raised.value).startswith(field)


def test_a_correct_signature_passes() -> None:
    verkada.verify(signed(lpr_webhook()), SECRET)


@pytest.mark.parametrize(
    ("make_message", "why"),
    [
        # Built when the test runs, not when it is collected: a long suite would otherwise
        # sign "now" minutes before the check and find every signature stale.
        (lambda: signed(lpr_webhook(), secret="someone-else"), "does not match"),
        (lambda: signed(lpr_webhook(), at=int(time.time()) - 3600), "replay"),
        (lambda: VendorMessage(lpr_webhook(), body=b"{}"), "missing"),
    ],
    ids=["wrong secret", "stale", "missing"],
)
def test_a_wrong_stale_or_missing_signature_is_refused(
    make_message: Callable[[], VendorMessage], why: str
) -> None:
    with pytest.raises(VendorSignatureError, match=why):
        verkada.verify(make_message(), SECRET)


def test_a_body_changed_after_signing_is_refused() -> None:
    message = signed(lpr_webhook())
    tampered = VendorMessage(message.document, headers=message.headers, body=message.body + b" ")

    with pytest.raises(VendorSignatureError, match="does not match"):
        verkada.verify(tampered, SECRET)

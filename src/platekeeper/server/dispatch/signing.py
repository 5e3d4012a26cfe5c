"""The webhook signature: HMAC-SHA256 over `<unix time>.` and the body, keyed by the secret.

Sent as `Platekeeper-Signature: t=<unix time>,v1=<hex digest>`. A receiver recomputes the
digest over the timestamp and the raw body it received, compares in constant time, and refuses
a timestamp more than a few minutes old, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Platekeeper-Signature"


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: bytes, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify_signature_header(
    secret: bytes, header: str, body: bytes, *, now: int, tolerance_seconds: int = 300
) -> bool:
    """True when `header` signs `body` with `secret` at a time within the tolerance of `now`
    (what a receiver does; used by the tests and given as the reference in the README)."""
    fields = dict(part.partition("=")[::2] for part in header.split(","))
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance_seconds:
        return False
    return hmac.compare_digest(fields.get("v1", ""), signature(secret, timestamp, body))

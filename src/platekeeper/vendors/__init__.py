"""Other systems' plate reads, in their own formats: one module per vendor. Django-free.

    from platekeeper.vendors import get_vendor, VendorMessage
    items = get_vendor("openalpr").to_items(VendorMessage(document))

Each vendor module holds pydantic models of its payloads and a function from one message to
read items, and registers itself here; `platekeeper.server.reads.api` serves every registered
vendor at `POST /api/v1/ingest/{name}`, and `Read.source` takes its values from this registry.
"""

from __future__ import annotations

from platekeeper.vendors.registry import (
    Vendor,
    VendorMessage,
    VendorPayloadError,
    VendorSignatureError,
    get_vendor,
    register_vendor,
    vendors,
)

__all__ = [
    "Vendor",
    "VendorMessage",
    "VendorPayloadError",
    "VendorSignatureError",
    "get_vendor",
    "read_source_choices",
    "register_vendor",
    "vendors",
]


def read_source_choices() -> list[tuple[str, str]]:
    """`(name, label)` of every vendor, for `Read.source` (a callable, so no migration each)."""
    return [(vendor.name, vendor.label) for vendor in vendors()]


# The built-in vendors register themselves on import.
from platekeeper.vendors import axis, frigate, openalpr, platerecognizer, verkada  # noqa: E402, F401

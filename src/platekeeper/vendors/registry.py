"""The registry of ingest formats: each vendor module registers one `Vendor` under its name.

The name is the last segment of `POST /api/v1/ingest/{name}` and the `source` stored on each of
its reads, so adding a vendor is one module (and its tests): no route, no migration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: `Read.source` is a 16-character column.
MAX_NAME_LENGTH = 16


class VendorPayloadError(ValueError):
    """A payload that is not of the vendor's documented shape; the message starts with the field."""


class VendorSignatureError(ValueError):
    """A signed message whose signature is missing, stale or wrong (the sender is not trusted)."""


@dataclass(frozen=True)
class VendorMessage:
    """One request as a vendor sent it: the parsed JSON, uploaded files, headers and raw body.

    The raw body is kept because signatures are computed over the bytes sent, not over JSON
    re-serialised by us.
    """

    document: Any
    files: Mapping[str, bytes] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass(frozen=True)
class Vendor:
    """An ingest format.

    `to_items` maps one message onto read items in `platekeeper.wire.ReadItem.to_json()` form
    (latitude and longitude None where the vendor sends no position, so the camera's fixed
    place is used). `verify`, for vendors that sign, raises `VendorSignatureError` unless the
    message is signed with `secret`; it runs only when the secret (from the environment
    variable `secret_variable`) is set.
    """

    name: str
    label: str
    summary: str
    to_items: Callable[[VendorMessage], list[dict[str, Any]]]
    json_field: str = "json"
    verify: Callable[[VendorMessage, str], None] | None = None
    secret_variable: str | None = None


_VENDORS: dict[str, Vendor] = {}


def register_vendor(vendor: Vendor) -> Vendor:
    """Add a vendor; its name must be new, lower case, and fit `Read.source`."""
    if vendor.name in _VENDORS:
        raise ValueError(f"vendor {vendor.name!r} is registered already")
    if not (vendor.name.isascii() and vendor.name.isalnum() and vendor.name.islower()):
        raise ValueError(f"vendor name {vendor.name!r} must be lower-case letters and digits")
    if len(vendor.name) > MAX_NAME_LENGTH:
        raise ValueError(f"vendor name {vendor.name!r} is longer than {MAX_NAME_LENGTH}")
    if (vendor.verify is None) != (vendor.secret_variable is None):
        raise ValueError(f"vendor {vendor.name!r}: verify and secret_variable go together")
    _VENDORS[vendor.name] = vendor
    return vendor


def get_vendor(name: str) -> Vendor | None:
    return _VENDORS.get(name)


def vendors() -> list[Vendor]:
    """Every registered vendor, by name."""
    return [_VENDORS[name] for name in sorted(_VENDORS)]

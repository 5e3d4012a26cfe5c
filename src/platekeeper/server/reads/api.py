"""API routes for ingesting reads: the platekeeper contract, and every format registered in
`platekeeper.vendors` at `/api/v1/ingest/{name}`."""

from __future__ import annotations

import os
from collections.abc import Callable

from django.http import HttpRequest
from django.http.request import RawPostDataException
from ninja import Router, Schema, Status

from platekeeper.server.alerts.actions import RaisedAlert
from platekeeper.server.cameras.auth import DeviceRequest, DeviceToken
from platekeeper.server.common.http import BadRequestBody, read_json_or_multipart
from platekeeper.server.reads.actions import BatchTooLarge, IngestResult, record_reads
from platekeeper.server.reads.models import ReadSource
from platekeeper.server.reads.schemas import ReadIn
from platekeeper.vendors import (
    Vendor,
    VendorMessage,
    VendorPayloadError,
    VendorSignatureError,
    vendors,
)
from platekeeper.wire import MAX_BATCH

router = Router(tags=["ingestion"], auth=DeviceToken())


class RejectionOut(Schema):
    index: int
    reason: str


class IngestOut(Schema):
    stored: int
    duplicates: int
    rejected: list[RejectionOut]
    alerts: list[RaisedAlert]


class ErrorOut(Schema):
    detail: str


class BatchIn(Schema):
    reads: list[ReadIn]


_ERRORS = {400: ErrorOut, 401: ErrorOut, 413: ErrorOut, 415: ErrorOut}
_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/BatchIn"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "batch": {"type": "string", "description": "The JSON batch"},
                    },
                    "additionalProperties": {"type": "string", "format": "binary"},
                }
            },
        },
    }
}


def _answer(result: IngestResult) -> dict[str, object]:
    return {
        "stored": result.stored,
        "duplicates": result.duplicates,
        "rejected": [{"index": r.index, "reason": r.reason} for r in result.rejected],
        "alerts": result.alerts,
    }


@router.post(
    "/reads",
    response={200: IngestOut, **_ERRORS},
    summary="Post a batch of reads",
    openapi_extra=_BATCH_BODY,
)
def post_reads(request: DeviceRequest) -> Status:
    """Store up to 1000 reads. Idempotent by read `id`; invalid items are reported by index.

    Send JSON `{"reads": [...]}`, or multipart with the JSON in a `batch` field and images as
    file parts referenced by `plate_crop_file` / `overview_file`.
    """
    try:
        body = read_json_or_multipart(request, json_field="batch")
        items = _batch_items(body.document)
        result = record_reads(request.auth, items, source=ReadSource.API, files=body.files)
    except (BadRequestBody, BatchTooLarge) as error:
        return Status(getattr(error, "status", 400), {"detail": str(error)})
    return Status(200, _answer(result))


def _batch_items(document: object) -> list[object]:
    if not isinstance(document, dict):
        raise BadRequestBody("body must be a JSON object with a 'reads' list")
    unknown = sorted(set(document) - {"reads"})
    if unknown:
        raise BadRequestBody(f"{unknown[0]}: is not a known field (only 'reads' is)")
    items = document.get("reads")
    if not isinstance(items, list):
        raise BadRequestBody("reads: is required and must be a list")
    if len(items) > MAX_BATCH:
        raise BadRequestBody(f"reads: at most {MAX_BATCH} items per batch, got {len(items)}")
    return items


def _vendor_route(vendor: Vendor) -> Callable[[DeviceRequest], Status]:
    """The view of `POST /api/v1/ingest/{vendor.name}`: the vendor's module does the mapping."""

    def post_vendor(request: DeviceRequest) -> Status:
        secret = os.environ.get(vendor.secret_variable or "") if vendor.verify else None
        try:
            body = read_json_or_multipart(request, json_field=vendor.json_field)
            raw = _raw_body(request) if secret else b""
            message = VendorMessage(body.document, body.files, request.headers, raw)
            if vendor.verify and secret:
                vendor.verify(message, secret)
            items = vendor.to_items(message)
        except VendorSignatureError as error:
            return Status(401, {"detail": str(error)})
        except (BadRequestBody, VendorPayloadError) as error:
            return Status(getattr(error, "status", 400), {"detail": str(error)})
        return Status(200, _answer(record_reads(request.auth, items, source=vendor.name)))

    post_vendor.__doc__ = (
        f"Accept {vendor.summary} as {vendor.label} sends it: JSON, or multipart with the JSON "
        f"in a `{vendor.json_field}` field and images as file parts."
        + (
            f" Signed messages are checked when {vendor.secret_variable} is set."
            if vendor.verify
            else ""
        )
    )
    return post_vendor


def _raw_body(request: HttpRequest) -> bytes:
    """The bytes sent, which signatures are computed over: Django keeps a JSON body once read;
    a multipart body is streamed into its parts and not kept (so it cannot pass a signature)."""
    try:
        return request.body
    except RawPostDataException:
        return b""


for _vendor in vendors():
    router.add_api_operation(
        f"/ingest/{_vendor.name}",
        ["POST"],
        _vendor_route(_vendor),
        response={200: IngestOut, **_ERRORS},
        summary=_vendor.summary,
        operation_id=f"post_ingest_{_vendor.name}",
    )

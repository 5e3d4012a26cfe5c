"""API routes for ingesting reads: the platekeeper contract and two vendors' webhook formats."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from platekeeper import vendor_formats
from platekeeper.server.alerts.actions import RaisedAlert
from platekeeper.server.cameras.auth import DeviceToken
from platekeeper.server.common.http import BadRequestBody, read_json_or_multipart
from platekeeper.server.reads.actions import BatchTooLarge, IngestResult, record_reads
from platekeeper.server.reads.models import ReadSource
from platekeeper.server.reads.schemas import ReadIn
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
def post_reads(request: HttpRequest) -> Status:
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


@router.post(
    "/ingest/openalpr", response={200: IngestOut, **_ERRORS}, summary="OpenALPR agent webhook"
)
def post_openalpr(request: HttpRequest) -> Status:
    """Accept the JSON that OpenALPR's alprd posts (`alpr_group`, `alpr_results`, heartbeats)."""
    try:
        body = read_json_or_multipart(request, json_field="json")
        items, _ = vendor_formats.openalpr_to_items(_require_object(body.document))
    except (BadRequestBody, vendor_formats.VendorPayloadError) as error:
        return Status(getattr(error, "status", 400), {"detail": str(error)})
    return Status(200, _answer(record_reads(request.auth, items, source=ReadSource.OPENALPR)))


@router.post(
    "/ingest/platerecognizer",
    response={200: IngestOut, **_ERRORS},
    summary="Plate Recognizer Snapshot/Stream webhook",
)
def post_platerecognizer(request: HttpRequest) -> Status:
    """Accept Plate Recognizer webhooks: JSON, or multipart with `json` and an `upload` image."""
    try:
        body = read_json_or_multipart(request, json_field="json")
        image = body.files.get("upload")
        items, _ = vendor_formats.platerecognizer_to_items(
            _require_object(body.document), image=image
        )
    except (BadRequestBody, vendor_formats.VendorPayloadError) as error:
        return Status(getattr(error, "status", 400), {"detail": str(error)})
    return Status(
        200, _answer(record_reads(request.auth, items, source=ReadSource.PLATERECOGNIZER))
    )


def _require_object(document: object) -> dict:
    if not isinstance(document, dict):
        raise BadRequestBody("body must be a JSON object")
    return document

"""Reading request bodies safely: every malformed body becomes a 4xx that says what is wrong."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest


class BadRequestBody(ValueError):
    """The body cannot be used; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RequestBody:
    """A decoded body: the JSON document and, for multipart requests, the uploaded files."""

    document: object
    files: dict[str, bytes]


def read_json_or_multipart(request: HttpRequest, *, json_field: str) -> RequestBody:
    """Decode a JSON body, or a multipart body whose form field `json_field` holds the JSON.

    Multipart lets cameras send images as raw file parts instead of base64 (a third smaller).
    """
    content_type = request.content_type or ""
    try:
        if content_type == "multipart/form-data":
            if json_field not in request.POST:
                raise BadRequestBody(
                    f"{json_field}: multipart body needs a form field {json_field!r}"
                )
            raw = request.POST[json_field]
            files = {name: upload.read() for name, upload in request.FILES.items()}
        elif content_type in {"application/json", ""} or content_type.endswith("+json"):
            raw = request.body
            files = {}
        else:
            raise BadRequestBody(
                f"Content-Type {content_type!r} is not accepted; send application/json "
                "or multipart/form-data",
                status=415,
            )
    except RequestDataTooBig:
        raise BadRequestBody("request body is larger than the server accepts", status=413) from None
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadRequestBody(f"body is not valid JSON: {error}") from None
    return RequestBody(document=document, files=files)

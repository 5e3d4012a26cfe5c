"""Reading request bodies safely: every malformed body becomes a 4xx that says what is wrong.

The size of a body is bounded by Django (PLATEKEEPER_MAX_REQUEST_BYTES) before it is read, and
its nesting by `MAX_JSON_DEPTH` before it is parsed, so no body can exhaust the parser's stack.
JSON's non-numbers (`NaN`, `Infinity`) and NUL characters are refused: no field of ours (and no
PostgreSQL text) can hold them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

#: Deepest nesting of arrays and objects a body may have (the wire formats need four).
MAX_JSON_DEPTH = 32
_STRUCTURE = re.compile(rb'[\[\]{}"\\]')
_OPENING, _CLOSING, _QUOTE, _BACKSLASH = b"[{", b"]}", ord('"'), ord("\\")


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
            raw: str | bytes = request.POST[json_field]
            # The last part of each name, as request.FILES[name] gives it.
            files = {name: uploads[-1].read() for name, uploads in request.FILES.lists()}
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
    except MultiPartParserError as error:
        raise BadRequestBody(f"body is not valid multipart/form-data: {error}") from None
    return RequestBody(document=parse_json(raw), files=files)


def parse_json(raw: bytes | str) -> object:
    """Parse a JSON body after checking its depth; refuse NaN and Infinity.

    Raises BadRequestBody (400) with one line that says what is wrong.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if b"\\u0000" in data:
        raise BadRequestBody("body: a string holds a NUL character (\\u0000), which no field takes")
    if json_depth_exceeds(data, MAX_JSON_DEPTH):
        raise BadRequestBody(
            f"body is nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects"
        )
    try:
        return json.loads(data, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError too
        raise BadRequestBody(f"body is not valid JSON: {error}") from None


def json_depth_exceeds(data: bytes, limit: int) -> bool:
    """Whether the JSON text nests arrays and objects deeper than `limit`, found by one scan
    over its brackets and quotes (base64 images hold none), stopping as soon as it is."""
    depth, in_string, skip = 0, False, -1
    for match in _STRUCTURE.finditer(data):
        at = match.start()
        if at == skip:
            continue
        char = data[at]
        if in_string:
            if char == _BACKSLASH:
                skip = at + 1
            elif char == _QUOTE:
                in_string = False
        elif char == _QUOTE:
            in_string = True
        elif char in _OPENING:
            depth += 1
            if depth > limit:
                return True
        elif char in _CLOSING:
            depth -= 1
    return False


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")

"""The pydantic building blocks of vendor payload models, and one readable line per error.

Vendors' JSON is validated as strictly as their documentation allows: a number is a JSON number
(never `true`, never a numeric string), an identifier is a string or an integer. Unknown fields
are ignored, because vendors add fields between versions.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, ValidationError

from platekeeper.vendors.registry import VendorPayloadError


class VendorModel(BaseModel):
    """Base of every vendor payload model."""

    model_config = ConfigDict(extra="ignore", frozen=True)


def _number(value: Any) -> float:
    # bool is an int in Python, but `true` is never a meaningful score or coordinate.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"must be a number, not {value!r}")
    return float(value)


def _pixel(value: Any) -> int:
    number = _number(value)
    if not number.is_integer():
        raise ValueError(f"must be a whole number of pixels, not {value!r}")
    return int(number)


def _identifier(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"must be a string or an integer, not {value!r}")
    return str(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {type(value).__name__}")
    return value


def _empty_is_none(value: Any) -> Any:
    return None if value == "" else value


Number = Annotated[float, BeforeValidator(_number)]
Pixel = Annotated[int, BeforeValidator(_pixel)]
Text = Annotated[str, BeforeValidator(_text)]
#: A camera or agent identifier; vendors send either spelling, and "" means none.
Identifier = Annotated[str | None, BeforeValidator(_identifier)]
#: Plates as printed, upper case (Plate Recognizer sends lower case).
Plate = Annotated[str, BeforeValidator(_text), AfterValidator(lambda text: text.strip().upper())]
#: A base64 JPEG as vendors send it, passed through untouched; "" means none.
Image = Annotated[str | None, BeforeValidator(_empty_is_none)]

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse(model: type[ModelT], payload: Any) -> ModelT:
    """Validate `payload` as `model`; a `VendorPayloadError` names the first bad field."""
    if not isinstance(payload, Mapping):
        raise VendorPayloadError(f"payload must be a JSON object, not {type(payload).__name__}")
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise VendorPayloadError(describe(error.errors()[0])) from None


def describe(error: Mapping[str, Any]) -> str:
    """`results[1].plate is missing`: pydantic's location spelt as the JSON path, then why."""
    path = ""
    for part in error["loc"]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    path = path.lstrip(".") or "payload"
    if error["type"] == "missing":
        return f"{path} is missing"
    if error["type"] == "value_error":
        return f"{path} {error['ctx']['error']}"
    return f"{path}: {error['msg']}"


def from_epoch(value: float, where: str, *, scale: float = 1.0) -> dt.datetime:
    """A UTC time from a Unix time in seconds (`scale` 1000 for milliseconds)."""
    try:
        return dt.datetime.fromtimestamp(value / scale, tz=dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise VendorPayloadError(f"{where} is not a Unix time: {value!r}") from error


def iso_timestamp(value: Any) -> dt.datetime:
    """An ISO-8601 time; one without an offset is taken as UTC (vendors that omit it mean UTC)."""
    text = _text(value)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"is not an ISO-8601 time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


Timestamp = Annotated[dt.datetime, BeforeValidator(iso_timestamp)]

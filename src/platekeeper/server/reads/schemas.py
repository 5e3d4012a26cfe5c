"""Validation of incoming read items: strict, so a bad field is named, never guessed at."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from platekeeper.plates import InvalidPlate, normalize_plate
from platekeeper.server.common.types import INT32_MAX, LATEST_MOMENT, MomentText, moment_problem

#: Reads from before digital ALPR existed are a broken camera clock, not history.
EARLIEST_CAPTURE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


class CandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    plate: str = Field(max_length=16)
    confidence: float = Field(ge=0, le=1)


class PlateBoxIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x: int = Field(ge=0, le=INT32_MAX)
    y: int = Field(ge=0, le=INT32_MAX)
    width: int = Field(gt=0, le=INT32_MAX)
    height: int = Field(gt=0, le=INT32_MAX)


class ReadIn(BaseModel):
    """One read item of `POST /api/v1/reads`; the field names are the wire contract."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    id: uuid.UUID
    plate: str = Field(max_length=16, description="The plate as read, e.g. 7ABC123")
    captured_at: MomentText = Field(description="ISO 8601 with a time zone, e.g. ...Z")
    latitude: float | None = Field(
        default=None, ge=-90, le=90, description="Required unless the camera is fixed"
    )
    longitude: float | None = Field(default=None, ge=-180, le=180)
    confidence: float | None = Field(default=None, ge=0, le=1)
    state: str | None = Field(default=None, max_length=8, pattern=r"^[A-Za-z0-9-]+$")
    candidates: list[CandidateIn] = Field(default_factory=list, max_length=20)
    heading: float | None = Field(default=None, ge=0, le=360)
    speed_kmh: float | None = Field(default=None, ge=0, le=400)
    plate_box: PlateBoxIn | None = None
    plate_crop: str | None = Field(default=None, description="Base64 JPEG, PNG or WebP")
    overview: str | None = Field(default=None, description="Base64 JPEG, PNG or WebP")
    plate_crop_file: str | None = Field(default=None, description="Multipart part name")
    overview_file: str | None = Field(default=None, description="Multipart part name")
    vehicle_make: str | None = Field(default=None, max_length=40)
    vehicle_color: str | None = Field(default=None, max_length=20)
    vehicle_type: str | None = Field(default=None, max_length=20)

    @field_validator("plate")
    @classmethod
    def _plate_is_plausible(cls, value: str) -> str:
        try:
            normalize_plate(value)
        except InvalidPlate as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("captured_at")
    @classmethod
    def _captured_at_is_plausible(cls, value: dt.datetime) -> dt.datetime:
        # Compared before converting: at the ends of the calendar, astimezone overflows.
        if value < EARLIEST_CAPTURE:
            raise ValueError("is before the year 2000; check the camera clock")
        if moment_problem(value, EARLIEST_CAPTURE, LATEST_MOMENT):
            raise ValueError("is after the year 2099; check the camera clock")
        return value.astimezone(dt.UTC)

    @field_validator("state")
    @classmethod
    def _state_upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value

    @field_validator("plate_crop", "overview")
    @classmethod
    def _is_base64(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("is not valid base64") from None
        return value


def describe_validation_error(error: ValidationError) -> str:
    """Turn pydantic's error into one readable line that names the offending field."""
    parts = []
    for problem in error.errors():
        location = ".".join(str(piece) for piece in problem["loc"]) or "item"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "is not a known field"
        elif problem["type"] == "missing":
            message = "is required"
        parts.append(f"{location}: {message}")
    return "; ".join(parts)

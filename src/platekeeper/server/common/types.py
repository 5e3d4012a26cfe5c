"""Strict field types for the API's schemas: times in a sane window, integers that fit their
column, finite numbers. A value outside them is a 4xx naming the field, never a 500 from the
database or from date arithmetic at the ends of the calendar."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

#: Any time a person asks about or a device reports must fall in this window. Outside it, a
#: time is a typo or a reset clock, and converting it to UTC can leave the calendar (year 1
#: with a positive offset, year 9999 with a negative one).
EARLIEST_MOMENT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST_MOMENT = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1


def moment_problem(
    value: dt.datetime,
    earliest: dt.datetime = EARLIEST_MOMENT,
    latest: dt.datetime = LATEST_MOMENT,
) -> str | None:
    """Why `value` is not a usable time, or None. Compares before converting, which is safe
    at the ends of the calendar where `astimezone` overflows."""
    if value.tzinfo is None or value.utcoffset() is None:
        return "needs a time zone (e.g. 2026-03-01T22:00:00Z)"
    if not earliest <= value <= latest:
        return f"must be between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}"
    return None


def _text_or_datetime(value: object) -> object:
    """A time on the wire is ISO 8601 text; a bare number is not silently taken as an epoch."""
    if not isinstance(value, str | dt.datetime):
        raise ValueError("must be an ISO 8601 time with a time zone, e.g. 2026-03-01T22:00:00Z")
    return value


def _in_window(value: dt.datetime) -> dt.datetime:
    problem = moment_problem(value)
    if problem:
        raise ValueError(problem)
    return value.astimezone(dt.UTC)


#: An ISO 8601 time with a time zone within the sane window, converted to UTC.
Moment = Annotated[AwareDatetime, BeforeValidator(_text_or_datetime), AfterValidator(_in_window)]
#: An ISO 8601 time with a time zone, not yet range-checked (the caller has its own window).
MomentText = Annotated[AwareDatetime, BeforeValidator(_text_or_datetime)]
#: A count stored in a 32-bit integer column (PostgreSQL `integer`).
Count32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
#: A count stored in a 64-bit integer column.
Count64 = Annotated[int, Field(ge=0, le=INT64_MAX)]

"""Small template helpers for the web interface."""

from __future__ import annotations

import datetime as dt

import segno
from django import template
from django.utils.safestring import SafeString, mark_safe

from platekeeper import __version__
from platekeeper.server.common import labels

register = template.Library()


@register.filter
def qr_code(text: str) -> SafeString:
    """`text` as an inline SVG QR code, drawn on the server so that a secret it carries (a
    second factor's setup URI) goes to no third-party service and needs no script."""
    svg = segno.make(text, error="m").svg_inline(
        scale=5, light="#fff", title="QR code to scan with your authenticator app"
    )
    # segno writes all of this markup itself; the text is encoded in the drawing, not inserted.
    return mark_safe(svg)  # noqa: S308


@register.simple_tag
def platekeeper_version() -> str:
    return __version__


@register.filter
def query_text(query: object) -> str:
    """An audit event's query as `Name: value` text with codes as words (`labels.query_text`)."""
    return labels.query_text(query)


@register.filter
def label(code: object, kind: str) -> str:
    """The words for a stored code: `{{ event.purpose|label:"purpose" }}` (`labels.label`)."""
    return labels.label(kind, code)


@register.filter
def when(moment: dt.datetime | None, detail: str = "") -> str:
    """A moment in the server's zone with the zone's name, `2026-11-29 11:05 PST`; `when:"s"`
    adds the seconds. Every time a page shows goes through here, so none is shown zoneless."""
    return labels.local_time(moment, seconds=detail == "s")


@register.filter
def number(value: object) -> str:
    """A count with thousands separators: `41,890`."""
    return labels.number(value)


@register.filter
def get_item(mapping: object, key: str) -> object:
    """`mapping[key]` in a template, or "" when absent."""
    return mapping.get(key, "") if isinstance(mapping, dict) else ""


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A time span as a person says it: `45 s`, `3 min 20 s`, `2 h 5 min`, `3 d 4 h`."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@register.filter
def percent(value: float | None) -> str:
    """A share as a percentage with one decimal, or — when there is nothing to divide."""
    return "—" if value is None else f"{value * 100:.1f} %"

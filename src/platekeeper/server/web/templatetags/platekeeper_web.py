"""Small template helpers for the web interface."""

from __future__ import annotations

from django import template

from platekeeper import __version__

register = template.Library()


@register.simple_tag
def platekeeper_version() -> str:
    return __version__


@register.filter
def query_summary(query: object) -> str:
    """An audit event's query elements as `key=value` pairs, leaving out the empty ones."""
    if not isinstance(query, dict):
        return ""
    return " ".join(
        f"{key}={value}" for key, value in query.items() if value not in (None, "", False)
    )

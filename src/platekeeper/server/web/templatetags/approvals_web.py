"""The approvals badge of the navigation: how many of the person's broad requests were
decided lately (the requester's notice that a supervisor acted)."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

from platekeeper.server.approvals.queries import may_see_approvals, news_count
from platekeeper.server.web.common import requester

register = template.Library()


@register.simple_tag(takes_context=True)
def approvals_news(context: template.Context) -> int:
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return news_count(requester(request))  # type: ignore[arg-type]


@register.simple_tag(takes_context=True)
def approvals_link(context: template.Context) -> bool:
    """Whether the navigation offers the approvals page (the gate would open it)."""
    request: HttpRequest | None = context.get("request")
    if request is None or not request.user.is_authenticated:
        return False
    return may_see_approvals(requester(request))  # type: ignore[arg-type]

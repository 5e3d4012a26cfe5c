"""The camera status page: online or not, last read, the agent's backlog, clock and errors.

For administrators (manage cameras). It shows no plate, place of a read or person, so it needs
no stated purpose and is not audited as data access.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from platekeeper.server.access.roles import Permission
from platekeeper.server.cameras.queries import ONLINE_WITHIN, camera_statuses
from platekeeper.server.web.common import require


@require(Permission.MANAGE_CAMERAS)
@require_GET
def cameras(request: HttpRequest) -> HttpResponse:
    statuses = camera_statuses()
    return render(
        request,
        "web/cameras.html",
        {
            "statuses": statuses,
            "online": sum(s.online for s in statuses),
            "online_minutes": int(ONLINE_WITHIN.total_seconds() // 60),
        },
    )

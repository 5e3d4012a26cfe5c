"""The camera status page: online or not, last read, the agent's backlog, clock and errors.

For administrators (manage cameras). It shows no plate, place of a read or person, so it needs
no stated purpose and is not audited as data access. Revoking a camera's device tokens is an
action (`cameras.actions.revoke_device_tokens`), which asks the gate and is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from platekeeper.server.access.roles import Permission
from platekeeper.server.cameras.actions import revoke_device_tokens
from platekeeper.server.cameras.models import Camera
from platekeeper.server.cameras.queries import ONLINE_WITHIN, camera_statuses
from platekeeper.server.web.common import AuthenticatedRequest, requester, require


@require(Permission.MANAGE_CAMERAS)
@require_GET
def cameras(request: AuthenticatedRequest) -> HttpResponse:
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


@login_required
@require_POST
def camera_revoke(request: AuthenticatedRequest, camera_id: int) -> HttpResponse:
    """Revoke every device token of a camera at once (stolen or retired)."""
    camera = get_object_or_404(Camera, pk=camera_id)
    revoked = revoke_device_tokens(camera, requester=requester(request))
    messages.success(request, f"Revoked {revoked} device token(s) of {camera.name}.")
    return redirect("web:cameras")

"""The camera pages for administrators: status, add, edit, revoke tokens, issue a new token.

The status shows no plate, place of a read or person, so it needs no stated purpose and is not
audited as data access. Every change is an action of `cameras.actions`, which asks the gate and
is audited; a refusal is rendered by the gate's middleware. A new device token is shown on the
answer to the POST that made it, never stored and never shown again (only its digest is kept).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platekeeper.server.access.roles import Permission
from platekeeper.server.cameras.actions import (
    CameraDetails,
    CameraError,
    add_camera,
    camera_details,
    edit_camera,
    issue_device_token,
    revoke_device_tokens,
)
from platekeeper.server.cameras.models import Camera, CameraKind
from platekeeper.server.cameras.queries import ONLINE_WITHIN, camera_statuses
from platekeeper.server.web.common import AuthenticatedRequest, requester, require


class CameraForm(forms.Form):
    """A camera's name, kind and place; the action checks the rules (a fixed camera's place)."""

    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=CameraKind.choices, initial=CameraKind.FIXED)
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)
    heading = forms.FloatField(
        required=False, min_value=0, max_value=359.9, help_text="Degrees clockwise from north"
    )

    def details(self, *, active: bool = True) -> CameraDetails:
        data = self.cleaned_data
        return CameraDetails(
            name=data["name"],
            mobile=data["kind"] == CameraKind.MOBILE,
            latitude=data["latitude"],
            longitude=data["longitude"],
            heading=data["heading"],
            active=active,
        )

    def refuse(self, error: CameraError) -> None:
        """Put the action's refusal (`field: why`) under the field it names."""
        field, _, why = str(error).partition(": ")
        if field in self.fields and why:
            self.add_error(field, why)
        else:
            self.add_error(None, str(error))


class CameraEditForm(CameraForm):
    active = forms.BooleanField(
        required=False, label="In service", help_text="A retired camera's tokens stop working"
    )


def _status_page(
    request: AuthenticatedRequest, form: CameraForm | None = None, status: int = 200
) -> HttpResponse:
    statuses = camera_statuses()
    return render(
        request,
        "web/cameras.html",
        {
            "statuses": statuses,
            "online": sum(s.online for s in statuses),
            "online_minutes": int(ONLINE_WITHIN.total_seconds() // 60),
            "add_form": form or CameraForm(),
        },
        status=status,
    )


def _token_page(request: AuthenticatedRequest, camera: Camera, token: str) -> HttpResponse:
    """The one page that shows a device token; never cached, so Back cannot bring it again."""
    response = render(request, "web/cameras/token.html", {"camera": camera, "token": token})
    response["Cache-Control"] = "no-store"
    return response


@require(Permission.MANAGE_CAMERAS)
@require_GET
def cameras(request: AuthenticatedRequest) -> HttpResponse:
    return _status_page(request)


@require(Permission.MANAGE_CAMERAS, action="camera.add")
@require_POST
def camera_add(request: AuthenticatedRequest) -> HttpResponse:
    """Register a camera and show its first device token once. `require` stays in front so
    that a person who may not add cameras is refused before their form is validated."""
    form = CameraForm(request.POST)
    if form.is_valid():
        details = form.details()
        try:
            created = add_camera(
                details.name,
                requester=requester(request),
                latitude=details.latitude,
                longitude=details.longitude,
                heading=details.heading,
                mobile=details.mobile,
            )
        except CameraError as error:
            form.refuse(error)
        else:
            return _token_page(request, created.camera, created.token)
    return _status_page(request, form, status=400)


@require(Permission.MANAGE_CAMERAS, action="camera.edit")
@require_http_methods(["GET", "POST"])
def camera_edit(request: AuthenticatedRequest, camera_id: int) -> HttpResponse:
    """Rename, move, change the kind of, retire or bring back a camera."""
    camera = get_object_or_404(Camera, pk=camera_id)
    form = CameraEditForm(request.POST or None, initial=camera_details(camera))
    if request.method == "POST" and form.is_valid():
        try:
            edit_camera(
                camera,
                form.details(active=form.cleaned_data["active"]),
                requester=requester(request),
            )
        except CameraError as error:
            form.refuse(error)
        else:
            messages.success(request, f"Camera {form.cleaned_data['name']} saved.")
            return redirect("web:cameras")
    return render(
        request,
        "web/cameras/edit.html",
        {"camera": camera, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def camera_token(request: AuthenticatedRequest, camera_id: int) -> HttpResponse:
    """Issue a new device token (the old ones keep working until revoked) and show it once."""
    camera = get_object_or_404(Camera, pk=camera_id)
    token = issue_device_token(camera, requester=requester(request))
    return _token_page(request, camera, token)


@login_required
@require_POST
def camera_revoke(request: AuthenticatedRequest, camera_id: int) -> HttpResponse:
    """Revoke every device token of a camera at once (stolen or retired)."""
    camera = get_object_or_404(Camera, pk=camera_id)
    revoked = revoke_device_tokens(camera, requester=requester(request))
    messages.success(request, f"Revoked {revoked} device token(s) of {camera.name}.")
    return redirect("web:cameras")

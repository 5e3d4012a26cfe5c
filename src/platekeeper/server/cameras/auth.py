"""django-ninja authentication of cameras by their device bearer token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from platekeeper.server.cameras.actions import authenticate_device
from platekeeper.server.cameras.models import Camera


class DeviceRequest(HttpRequest):
    """The request of an operation behind `DeviceToken`, for annotations (ninja sets `auth`)."""

    auth: Camera


class DeviceToken(HttpBearer):
    """`Authorization: Bearer <device token>`; the authenticated camera lands in `request.auth`."""

    openapi_description = "A device token from `platekeeper camera add`"

    def authenticate(self, request: HttpRequest, token: str) -> Camera | None:
        return authenticate_device(token)

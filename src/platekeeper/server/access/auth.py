"""How people authenticate to the API: a personal bearer token, or the web session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from platekeeper.server.access.actions import user_for_token
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.models import User


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer <personal token>` from `platekeeper token create`."""

    openapi_description = "A personal API token from `platekeeper token create NAME`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


PERSON_AUTH = [PersonalTokenAuth(), SessionAuth()]


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def api_requester(request: HttpRequest) -> Requester:
    """The Requester for an authenticated API call (token or session)."""
    user = request.auth if isinstance(request.auth, User) else request.user
    return Requester(user=user, channel="api", client_address=client_address(request))

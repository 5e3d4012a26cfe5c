"""How people authenticate to the API: a personal bearer token, or the web session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from platekeeper.server.access.actions import user_for_token
from platekeeper.server.access.gate import Requester, approval_number
from platekeeper.server.access.models import User


class PersonalTokenAuth(HttpBearer):
    """`Authorization: Bearer <personal token>` from `platekeeper token create`."""

    openapi_description = "A personal API token from `platekeeper token create NAME`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


PERSON_AUTH = [PersonalTokenAuth(), SessionAuth()]


class PersonRequest(HttpRequest):
    """The request of an operation behind `PERSON_AUTH`, for annotations: ninja puts the person
    in `auth` (a personal token's owner, or the signed-in user of the session)."""

    auth: User


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def api_requester(request: PersonRequest) -> Requester:
    """The Requester for an authenticated API call (token or session)."""
    return Requester(
        user=request.auth,
        channel="api",
        client_address=client_address(request),
        approval=approval_number(request.GET.get("approval")),
    )

"""The JSON API at /api/v1/: one NinjaAPI that mounts each app's router."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from platekeeper import __version__
from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.alerts.api import router as alerts_router
from platekeeper.server.cameras.agent_api import router as agent_router
from platekeeper.server.hotlists.api import router as hotlists_router
from platekeeper.server.investigations.api import router as investigations_router
from platekeeper.server.reads.api import router as reads_router
from platekeeper.server.reads.search_api import router as search_router

api = NinjaAPI(
    title="platekeeper",
    version="1",
    description=(
        f"platekeeper {__version__}. Cameras post reads with a device token; people reach "
        "ALPR data only with a personal token or session, a current training record and a "
        "stated purpose, and every access is audited."
    ),
    urls_namespace="api-v1",
)
api.add_router("/", reads_router)
# Before the search router: its /reads/{read_id} would otherwise answer /reads/canvass.
api.add_router("/", investigations_router)
api.add_router("/", search_router)
api.add_router("/", alerts_router)
api.add_router("/", hotlists_router)
api.add_router("/", agent_router)


@api.exception_handler(AccessDenied)
def _denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(PlatekeeperError)
def _refused(request: HttpRequest, exc: PlatekeeperError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": "Authorization: a valid, unrevoked bearer token is required"},
        status=401,
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Name every offending field in one readable line, keeping pydantic's details beside it."""
    fields = []
    for error in exc.errors:
        location = ".".join(str(p) for p in error.get("loc", ()) if p not in {"body", "query"})
        fields.append(f"{location or 'request'}: {error.get('msg', 'is invalid')}")
    return api.create_response(
        request, {"detail": "; ".join(fields), "errors": exc.errors}, status=422
    )

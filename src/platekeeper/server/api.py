"""The JSON API at /api/v1/: one NinjaAPI that mounts each app's router.

Every body goes through `common.http.parse_json` (size, depth and NaN bounds before parsing);
every error answers JSON `{"detail": "..."}` naming the field or bound; the OpenAPI document
resolves and lists the error answers, so clients and fuzzers can rely on it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from platekeeper import __version__
from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import AccessDenied, ApprovalPending, RecordNotFound
from platekeeper.server.alerts.api import router as alerts_router
from platekeeper.server.approvals.api import router as approvals_router
from platekeeper.server.cameras.agent_api import router as agent_router
from platekeeper.server.common.busy import ServerBusy, as_busy, busy_response
from platekeeper.server.common.http import BadRequestBody, parse_json
from platekeeper.server.hotlists.api import router as hotlists_router
from platekeeper.server.investigations.api import router as investigations_router
from platekeeper.server.reads.api import BatchIn, ErrorOut
from platekeeper.server.reads.api import router as reads_router
from platekeeper.server.reads.search_api import router as search_router

log = logging.getLogger(__name__)
#: The error answers every operation may give, besides those it declares itself.
_ERROR_ANSWERS = {
    "400": "A parameter or the body is unusable; `detail` names it",
    "401": "No valid token or session",
    "403": "Not allowed (role, training, second factor, sharing agreement)",
    "404": "No record has that id (the lookup is audited all the same)",
    "413": "The body is larger than the server accepts",
    "422": "A parameter has the wrong type or range; `detail` names it",
    "503": "Too busy (no free database connection, or the time budget ran out); see Retry-After",
}


class BoundedParser(Parser):
    """ninja's parser, with the bounds of every other body (depth, NaN, NUL), and no NUL
    character in a query parameter (PostgreSQL text cannot hold one)."""

    def parse_body(self, request: HttpRequest) -> Any:
        return parse_json(request.body)

    def parse_querydict(
        self, data: MultiValueDict, list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            # Text only: uploaded files come through here too, and reading them would use them up.
            if any(isinstance(value, str) and "\x00" in value for value in values):
                raise HttpError(400, f"{key}: contains a NUL character")
        return super().parse_querydict(data, list_fields, request)


class PlatekeeperAPI(NinjaAPI):
    """The API, whose OpenAPI document resolves in full and documents its refusals."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        # The ingest routes read their bodies themselves (to answer per item), so ninja never
        # sees BatchIn; its schema and those it refers to are added here.
        for model in (BatchIn, ErrorOut):
            body = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[model.__name__] = body
        error = {
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                for parameter in operation.get("parameters", ()):
                    # The gate refuses an access without a purpose (audited, 400), so a client
                    # must always send one.
                    if parameter["name"] == "purpose":
                        parameter["required"] = True
                answers = operation.setdefault("responses", {})
                for status, description in _ERROR_ANSWERS.items():
                    if int(status) not in answers and status not in answers:
                        answers[status] = {"description": description, **error}
        return schema


api = PlatekeeperAPI(
    title="platekeeper",
    version="1",
    description=(
        f"platekeeper {__version__}. Cameras post reads with a device token; people reach "
        "ALPR data only with a personal token or session, a current training record and a "
        "stated purpose, and every access is audited."
    ),
    urls_namespace="api-v1",
    parser=BoundedParser(),
)
api.add_router("/", reads_router)
# Before the search router: its /reads/{read_id} would otherwise answer /reads/canvass.
api.add_router("/", investigations_router)
api.add_router("/", search_router)
api.add_router("/", alerts_router)
api.add_router("/", hotlists_router)
api.add_router("/", agent_router)
api.add_router("/", approvals_router)


@api.exception_handler(AccessDenied)
def _denied(request: HttpRequest, exc: AccessDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(ApprovalPending)
def _held(request: HttpRequest, exc: ApprovalPending) -> HttpResponse:
    """A broad request held for a supervisor: 202 with the approval to send it again under."""
    body = {"approval_id": exc.approval_id, "status": "awaiting approval", "message": str(exc)}
    return api.create_response(request, body, status=202)


@api.exception_handler(RecordNotFound)
def _not_found(request: HttpRequest, exc: RecordNotFound) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=404)


@api.exception_handler(PlatekeeperError)
def _refused(request: HttpRequest, exc: PlatekeeperError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(ServerBusy)
def _busy(request: HttpRequest, exc: ServerBusy) -> HttpResponse:
    return busy_response(request, exc)


@api.exception_handler(OperationalError)
def _database_trouble(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """A full connection pool is 503; any other database failure stays a server error."""
    busy = as_busy(exc)
    if busy is None:
        raise exc
    return busy_response(request, busy)


@api.exception_handler(DataError)
def _unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    """The last guard behind the schemas: a value the database cannot hold is the client's."""
    log.warning("400 %s %s: %s", request.method, request.path, str(exc).splitlines()[0])
    detail = "a value does not fit its field (too long, out of range, or a NUL character)"
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals; a body our parser refused keeps the parser's reason."""
    cause = exc.__cause__
    if isinstance(cause, BadRequestBody):
        return api.create_response(request, {"detail": str(cause)}, status=cause.status)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    detail = "request body is larger than the server accepts (PLATEKEEPER_MAX_REQUEST_BYTES)"
    return api.create_response(request, {"detail": detail}, status=413)


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
        message = str(error.get("msg", "is invalid")).removeprefix("Value error, ")
        fields.append(f"{location or 'request'}: {message}")
    return api.create_response(
        request, {"detail": "; ".join(fields), "errors": exc.errors}, status=422
    )

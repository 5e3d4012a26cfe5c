"""Every web route and API operation is classified in `server.routes`, and nothing more."""

from __future__ import annotations

import copy
from types import ModuleType

from django.http import HttpResponse
from django.urls import include, path

from platekeeper.server import routes
from platekeeper.server.api import api
from platekeeper.server.web import urls as web_urls


def _throwaway(request):
    return HttpResponse("")


def _urlconf_with(*extra) -> ModuleType:
    """The project's URLconf with `extra` web patterns added under the `web` namespace."""
    module = ModuleType("throwaway_urls")
    module.urlpatterns = [
        path("api/v1/", api.urls),
        path("", include(([*web_urls.urlpatterns, *extra], "web"))),
    ]
    return module


def test_every_route_and_operation_is_classified_and_every_entry_exists():
    assert routes.registry_problems() == []


def test_a_web_route_added_without_a_classification_is_reported():
    urlconf = _urlconf_with(path("throwaway", _throwaway, name="throwaway"))

    assert routes.registry_problems(urlconf) == [
        "web route 'web:throwaway' (/throwaway) is not classified"
    ]


def test_a_route_without_a_name_is_reported():
    urlconf = _urlconf_with(path("nameless/<int:n>", _throwaway))

    assert routes.registry_problems(urlconf) == [
        "web route /nameless/{n} has no URL name, so it cannot be classified"
    ]


def test_an_api_operation_added_without_a_classification_is_reported():
    schema = copy.deepcopy(api.get_openapi_schema())
    schema["paths"]["/api/v1/throwaway/{thing_id}"] = {"delete": {"operationId": "throwaway"}}
    schema["paths"]["/api/v1/alerts"]["put"] = {"operationId": "throwaway_put"}

    assert routes.registry_problems(schema=schema) == [
        "API operation DELETE /api/v1/throwaway/{thing_id} is not classified",
        "API operation PUT /api/v1/alerts is not classified",
    ]


def test_an_entry_for_a_route_that_is_gone_is_reported():
    urlconf = _urlconf_with()
    urlconf.urlpatterns[1] = path(
        "", include(([p for p in web_urls.urlpatterns if p.name != "alert_stream"], "web"))
    )
    schema = copy.deepcopy(api.get_openapi_schema())
    del schema["paths"]["/api/v1/shared/hotlist-entries"]

    assert routes.registry_problems(urlconf, schema) == [
        "registry names API operation GET /api/v1/shared/hotlist-entries, "
        "which the OpenAPI document lacks",
        "registry names web route 'web:alert_stream', which the URLconf lacks",
        # The URL pattern is still there, so it is reported as unclassified too.
        "web route 'api-v1:get_shared_entries' (/api/v1/shared/hotlist-entries) is not classified",
    ]


def test_every_gated_route_names_permissions_of_the_policy():
    for access in [*routes.WEB_ROUTES.values(), *routes.API_OPERATIONS.values()]:
        assert access.kind in {"public", "device", "authenticated-administrative", "gated"}
        assert (access.kind == "gated") == bool(access.permissions), access

"""Thin views over the map data: the street layer and where the cameras stand.

Neither shows a plate, a read's place or a person (camera places and online state are what the
camera page shows), so they need no stated purpose and write no access record.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from platekeeper.server.access.roles import SEE_CAMERA_PLACES
from platekeeper.server.cameras.queries import camera_statuses
from platekeeper.server.maps.streets import MapFileError, street_layer
from platekeeper.server.web.common import require


@require(*SEE_CAMERA_PLACES)
@require_GET
def streets(request: HttpRequest) -> HttpResponse:
    """The street layer as GeoJSON; 404 when there is none (maps then show a plain ground)."""
    try:
        layer = street_layer()
    except MapFileError as error:
        return JsonResponse({"detail": str(error)}, status=503)
    if layer is None:
        return JsonResponse(
            {"detail": "no street layer: set PLATEKEEPER_MAP_FILE to a GeoJSON file"}, status=404
        )
    etag = f'"{hashlib.sha256(layer.body).hexdigest()[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(layer.body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require(*SEE_CAMERA_PLACES)
@require_GET
def cameras(request: HttpRequest) -> JsonResponse:
    """Active cameras that have a place (fixed ones): name, position and whether online."""
    return JsonResponse(
        {
            "cameras": [
                {
                    "label": status.camera.name,
                    "lat": status.camera.latitude,
                    "lon": status.camera.longitude,
                    "online": status.online,
                }
                for status in camera_statuses()
                if status.camera.active and status.camera.latitude is not None
            ]
        }
    )

"""Investigation pages: canvass on a map, multiple scenes, convoy, a plate's sightings, exports.

Views stay thin: a form reads the request, `investigations.queries` does the gated, audited
work, and the page draws the result with `investigation_map.js` (no inline script: the map's
data travels in a JSON block the script reads).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Avg
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from platekeeper.server.access.gate import AccessDenied, training_problem
from platekeeper.server.access.roles import Permission
from platekeeper.server.cameras.models import Camera
from platekeeper.server.common import labels
from platekeeper.server.investigations import queries
from platekeeper.server.investigations.areas import MAX_RADIUS_M, area_from
from platekeeper.server.maps.geocoding import AddressError, geocode
from platekeeper.server.maps.streets import MapFileError
from platekeeper.server.reads.queries import QueryError, ReadSummary
from platekeeper.server.web.alerts import map_tiles, with_tile_source
from platekeeper.server.web.common import (
    AuthenticatedRequest,
    justification,
    needs_purpose,
    refused,
    requester,
    require,
)
from platekeeper.server.web.field_names import in_form_words
from platekeeper.server.web.forms import (
    SCENE_WINDOW,
    SEARCH_WINDOW,
    VehicleFields,
    recent_window,
    when_field,
)
from platekeeper.server.web.paging import cursor_pager

#: Scene rows offered on the multiple-scenes page.
SCENE_ROWS = 4


def address_field() -> forms.CharField:
    return forms.CharField(
        label="Address",
        required=False,
        max_length=200,
        help_text="A street or a crossing of this town, e.g. Grand Ave & Wildwood Ave",
    )


def place_typed_address(form: forms.Form, data: dict[str, Any], suffix: str = "") -> None:
    """Fill `lat`/`lon` (+ suffix) from a typed `address` when no coordinates were given (a
    click or typed coordinates win). The place found is written back into the form so the page
    shows it; an address the street layer does not know is an error on its field."""
    lat, lon, address = f"lat{suffix}", f"lon{suffix}", data.get(f"address{suffix}", "")
    if not address or data.get(lat) is not None or data.get(lon) is not None:
        return
    try:
        place = geocode(address)
    except (AddressError, MapFileError) as error:
        form.add_error(f"address{suffix}", str(error))
        return
    data[lat], data[lon] = round(place.latitude, 6), round(place.longitude, 6)
    form.data = {**form.data, lat: str(data[lat]), lon: str(data[lon])}


class CanvassForm(VehicleFields):
    shape = forms.ChoiceField(
        choices=[("circle", "Circle"), ("polygon", "Polygon")],
        initial="circle",
        widget=forms.RadioSelect,
        required=False,
    )
    address = address_field()
    lat = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)
    radius_m = forms.IntegerField(
        label="Radius (m)", initial=500, required=False, min_value=1, max_value=MAX_RADIUS_M
    )
    polygon = forms.CharField(
        required=False,
        widget=forms.HiddenInput,
        help_text="Points as lat,lon;lat,lon;... (click the map to add them)",
    )
    start = when_field("From")
    end = when_field("To")
    view = forms.ChoiceField(
        choices=[("plates", "By plate"), ("reads", "Every read")], initial="plates", required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("shape") != "polygon":
            place_typed_address(self, data)
        return data

    def window(self) -> queries.Window:
        data = self.cleaned_data
        if data["shape"] == "polygon":
            area = area_from(polygon=data["polygon"] or "")
        else:
            area = area_from(latitude=data["lat"], longitude=data["lon"], radius_m=data["radius_m"])
        return queries.Window(area, data["start"], data["end"])


class ScenesForm(forms.Form):
    min_scenes = forms.IntegerField(label="Seen in at least", initial=2, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, SCENE_ROWS + 1):
            required = n <= 2
            self.fields[f"address{n}"] = address_field()
            self.fields[f"lat{n}"] = forms.FloatField(label="Latitude", required=False)
            self.fields[f"lon{n}"] = forms.FloatField(label="Longitude", required=False)
            self.fields[f"radius{n}"] = forms.IntegerField(
                label="Radius (m)", initial=300, required=False, min_value=1
            )
            self.fields[f"start{n}"] = when_field("From", required)
            self.fields[f"end{n}"] = when_field("To", required)

    @staticmethod
    def recent() -> dict[str, Any]:
        """Initial windows: the scenes that must be filled in cover the last 7 days."""
        initial: dict[str, Any] = {}
        for n in range(1, 3):
            initial |= recent_window(SEARCH_WINDOW, f"start{n}", f"end{n}")
        return initial

    def clean(self) -> dict[str, Any]:
        """Each scene is placed by a click, typed coordinates or a typed address; the first
        two scenes must be placed."""
        data = super().clean() or {}
        for n in range(1, SCENE_ROWS + 1):
            place_typed_address(self, data, str(n))
            if n <= 2 and f"address{n}" not in self.errors:
                for name in (f"lat{n}", f"lon{n}"):
                    if data.get(name) is None and name not in self.errors:
                        self.add_error(name, "place the scene: click the map, or type an address")
        return data

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"{name}{n}"] for name in ("address", "lat", "lon", "radius", "start", "end")]
            for n in range(1, SCENE_ROWS + 1)
        ]

    def scenes(self) -> queries.Scenes:
        data = self.cleaned_data
        windows = []
        for n in range(1, SCENE_ROWS + 1):
            if data.get(f"lat{n}") is None:
                continue
            area = area_from(
                latitude=data[f"lat{n}"],
                longitude=data.get(f"lon{n}"),
                radius_m=data.get(f"radius{n}") or 300,
            )
            windows.append(queries.Window(area, data[f"start{n}"], data[f"end{n}"]))
        return queries.Scenes(tuple(windows), data["min_scenes"])


class ConvoyForm(forms.Form):
    plate = forms.CharField(max_length=16, label="Target plate")
    start = when_field("From")
    end = when_field("To")
    within_s = forms.IntegerField(label="Within (seconds)", initial=60, min_value=1)
    min_cameras = forms.IntegerField(label="At cameras (at least)", initial=2, min_value=1)

    def search(self) -> queries.ConvoySearch:
        data = self.cleaned_data
        return queries.ConvoySearch(
            data["plate"], data["start"], data["end"], data["within_s"], data["min_cameras"]
        )


FORMS: dict[str, type[forms.Form]] = {
    "canvass": CanvassForm,
    "scenes": ScenesForm,
    "convoy": ConvoyForm,
}


def _analysis(kind: str, form: forms.Form) -> queries.Analysis:
    if isinstance(form, CanvassForm):
        return form.window()
    if isinstance(form, ScenesForm):
        return form.scenes()
    assert isinstance(form, ConvoyForm), kind  # noqa: S101 - FORMS holds only these three
    return form.search()


# --- the map --------------------------------------------------------------------------------


def _point(read: ReadSummary) -> dict[str, Any]:
    return {
        "lat": read.latitude,
        "lon": read.longitude,
        "label": f"{read.plate} · {labels.local_time(read.captured_at, seconds=True)} · "
        f"{read.camera}",
        "url": reverse("web:read", args=[read.id]),
    }


def _track(label: str, reads: list[ReadSummary], role: str = "") -> dict[str, Any]:
    ordered = sorted(reads, key=lambda r: r.captured_at)
    return {"label": label, "role": role, "points": [_point(r) for r in ordered]}


def _map(
    areas: list[dict[str, Any]] | None = None,
    points: list[ReadSummary] | None = None,
    tracks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """What investigation_map.js draws: areas, read points, per-plate tracks and cameras."""
    cameras = Camera.objects.filter(active=True, latitude__isnull=False, longitude__isnull=False)
    centre = cameras.aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    return {
        "areas": areas or [],
        "points": [_point(r) for r in points or []],
        "tracks": tracks or [],
        "cameras": [
            {"lat": c.latitude, "lon": c.longitude, "label": c.name}
            for c in cameras.order_by("name")[:500]
        ],
        "centre": [centre["lat"], centre["lon"]] if centre["lat"] is not None else None,
    }


def _page(request: AuthenticatedRequest, template: str, context: dict[str, Any], **kwargs: Any):
    tiles = map_tiles()
    context = {
        "map_tiles": tiles,
        "map_attribution": getattr(settings, "PLATEKEEPER_MAP_ATTRIBUTION", ""),
        "training_problem": training_problem(request.user),
        **context,
    }
    context.setdefault("map_data", _map())
    return with_tile_source(render(request, template, context, **kwargs), tiles)


def _export_links(request: AuthenticatedRequest, kind: str) -> dict[str, str]:
    base = reverse("web:investigation_export", args=[kind])
    query = request.GET.copy()
    query.pop("cursor", None)
    links = {}
    for fmt in queries.ExportFormat:
        query["format"] = fmt.value
        links[fmt.value] = f"{base}?{query.urlencode()}"
    return links


def _form_errors(form: forms.Form) -> int:
    return 400 if form.errors else 200


# --- pages ---------------------------------------------------------------------------------


@require(Permission.CANVASS_READS, action="reads.canvass")
@require_GET
def canvass(request: AuthenticatedRequest) -> HttpResponse:
    """Draw a circle or polygon on the map, choose a window, and list who was there."""
    if justification(request) is None:
        return needs_purpose(request)
    bound = "start" in request.GET
    form = CanvassForm(request.GET if bound else None, initial=recent_window(SCENE_WINDOW))
    context: dict[str, Any] = {"form": form}
    if not bound or not form.is_valid():
        return _page(request, "web/canvass.html", context, status=_form_errors(form))
    try:
        window = form.window()
        if form.cleaned_data["view"] == "reads":
            page = queries.canvass(
                requester(request),
                justification(request),
                window,
                cursor=request.GET.get("cursor") or None,
                vehicle=form.vehicle(),
                with_images=True,
            )
            pager = cursor_pager(request, len(page.results), page.next_cursor, "read")
            context.update(page=page, pager=pager)
            points = page.results
        else:
            grouped = queries.canvass_by_plate(
                requester(request), justification(request), window, vehicle=form.vehicle()
            )
            context.update(grouped=grouped)
            points = []
    except (AccessDenied, QueryError) as error:
        return _refused(request, "web/canvass.html", context, in_form_words(error, form))
    context.update(
        searched=True,
        # An export covers the whole canvass; it is not offered for a narrowed one.
        exports=_export_links(request, "canvass"),
        map_data=_map([window.area.describe()], points),
    )
    return _page(request, "web/canvass.html", context)


@require(Permission.CANVASS_READS, action="reads.scenes")
@require_GET
def scenes(request: AuthenticatedRequest) -> HttpResponse:
    """Plates seen at several places and times: a series of burglaries, say."""
    if justification(request) is None:
        return needs_purpose(request)
    bound = "lat1" in request.GET or "address1" in request.GET
    form = ScenesForm(request.GET if bound else None, initial=ScenesForm.recent())
    context: dict[str, Any] = {"form": form}
    if not bound or not form.is_valid():
        return _page(request, "web/scenes.html", context, status=_form_errors(form))
    try:
        search = form.scenes()
        hits = queries.multiple_scenes(requester(request), justification(request), search)
    except (AccessDenied, QueryError) as error:
        return _refused(request, "web/scenes.html", context, in_form_words(error, form))
    areas = [
        {**w.area.describe(), "label": f"Scene {n}"} for n, w in enumerate(search.windows, start=1)
    ]
    context.update(
        searched=True,
        hits=hits,
        exports=_export_links(request, "scenes"),
        map_data=_map(areas, tracks=[_track(h.plate, h.reads) for h in hits[:50]]),
    )
    return _page(request, "web/scenes.html", context)


@require(Permission.CANVASS_READS, action="reads.convoy")
@require_GET
def convoy(request: AuthenticatedRequest) -> HttpResponse:
    """Plates that travel with a target plate: near it in time at several cameras."""
    if justification(request) is None:
        return needs_purpose(request)
    bound = "plate" in request.GET
    form = ConvoyForm(request.GET if bound else None, initial=recent_window(SEARCH_WINDOW))
    context: dict[str, Any] = {"form": form}
    if not bound or not form.is_valid():
        return _page(request, "web/convoy.html", context, status=_form_errors(form))
    try:
        result = queries.convoy(requester(request), justification(request), form.search())
    except (AccessDenied, QueryError) as error:
        return _refused(request, "web/convoy.html", context, in_form_words(error, form))
    tracks = [_track(result.plate, result.target_reads, "target")]
    tracks += [_track(c.plate, c.reads) for c in result.companions[:50]]
    context.update(
        searched=True,
        result=result,
        exports=_export_links(request, "convoy"),
        map_data=_map(tracks=tracks),
    )
    return _page(request, "web/convoy.html", context)


@require(Permission.SEARCH_READS, action="reads.sightings")
@require_GET
def sightings(request: AuthenticatedRequest, read_id: uuid.UUID) -> HttpResponse:
    """One read's plate in the hours around it, as a list and a track on the map."""
    if justification(request) is None:
        return needs_purpose(request)
    try:
        hours = int(request.GET.get("hours") or 24)
        found = queries.sightings(
            requester(request), justification(request), str(read_id), hours=hours
        )
    except ValueError:
        return _refused(request, "web/sightings.html", {}, QueryError("hours: must be a number"))
    except (AccessDenied, QueryError) as error:
        return _refused(request, "web/sightings.html", {}, error)
    context = {
        "found": found,
        "hours": hours,
        "map_data": _map(points=[found.read], tracks=[_track(found.read.plate, found.reads)]),
    }
    return _page(request, "web/sightings.html", context)


@require(Permission.EXPORT_READS, action="reads.export")
@require_GET
def export(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    """The whole result of a canvass, scenes or convoy search as CSV or GeoJSON (audited)."""
    if justification(request) is None:
        return needs_purpose(request)
    form_class = FORMS.get(kind)
    if form_class is None:
        return HttpResponse(f"no export of {kind!r}", status=404, content_type="text/plain")
    form = form_class(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in form.errors.items()),
            status=400,
            content_type="text/plain",
        )
    try:
        document = queries.export(
            requester(request),
            justification(request),
            _analysis(kind, form),
            request.GET.get("format") or "csv",
            vehicle=form.vehicle() if isinstance(form, VehicleFields) else None,
        )
    except (AccessDenied, QueryError) as error:
        status = error.status if isinstance(error, AccessDenied) else 400
        return HttpResponse(str(error), status=status, content_type="text/plain")
    response = HttpResponse(document.body, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response


def _refused(
    request: AuthenticatedRequest, template: str, context: dict[str, Any], error: Exception
) -> HttpResponse:
    response = refused(
        request,
        template,
        {
            "map_data": _map(),
            "map_tiles": map_tiles(),
            "map_attribution": getattr(settings, "PLATEKEEPER_MAP_ATTRIBUTION", ""),
            **context,
        },
        error,
    )
    return with_tile_source(response, map_tiles())

"""API routes of the investigator's analyses: canvass, multiple scenes, convoy, sightings, exports.

Each call states a purpose (and a case number unless exempt) and is audited by the query it
calls; an export is an audited access of its own.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from platekeeper.server.access.auth import PERSON_AUTH, PersonRequest, api_requester
from platekeeper.server.investigations import queries
from platekeeper.server.investigations.areas import area_from
from platekeeper.server.reads.queries import QueryError, ReadSummary
from platekeeper.server.reads.search_api import JustificationIn, SearchOut, VehicleIn

router = Router(tags=["investigations"], auth=PERSON_AUTH)


class CanvassIn(JustificationIn):
    lat: float | None = Field(
        None, allow_inf_nan=False, description="Centre of the circle (with lon and radius_m)"
    )
    lon: float | None = Field(None, allow_inf_nan=False)
    radius_m: float | None = Field(
        None, allow_inf_nan=False, description="Radius in metres, at most 5000"
    )
    polygon: str | None = Field(
        None,
        max_length=4000,
        description="Instead of a circle: `lat,lon;lat,lon;lat,lon...` (3 to 100 points)",
    )
    start: dt.datetime
    end: dt.datetime

    def window(self) -> queries.Window:
        area = area_from(
            latitude=self.lat, longitude=self.lon, radius_m=self.radius_m, polygon=self.polygon
        )
        return queries.Window(area, self.start, self.end)


class CanvassPlatesIn(CanvassIn, VehicleIn):
    """A canvass narrowed, if asked, to one vehicle description."""


class CanvassPageIn(CanvassPlatesIn):
    cursor: str | None = None
    limit: int = 50


class GroupedOut(Schema):
    results: list[queries.PlateGroup]
    total_reads: int


class ScenesIn(JustificationIn):
    scene: list[str] = Field(
        ...,
        description=(
            "Repeat once per scene: `lat,lon,radius_m,start,end` with ISO 8601 times "
            "(e.g. `37.82,-122.23,300,2026-03-01T22:00:00Z,2026-03-02T01:00:00Z`)"
        ),
    )
    min_scenes: int | None = Field(None, description="Plates seen in at least this many scenes")

    def scenes(self) -> queries.Scenes:
        windows = tuple(_scene(text) for text in self.scene)
        return queries.Scenes(windows, self.min_scenes or len(windows))


class SceneHitOut(Schema):
    plate: str
    scenes: list[int]
    first_seen: dt.datetime
    last_seen: dt.datetime
    reads: list[ReadSummary]


class ScenesOut(Schema):
    results: list[SceneHitOut]


class ConvoyIn(JustificationIn):
    plate: str
    start: dt.datetime
    end: dt.datetime
    within_s: int = Field(60, description="Seconds before or after the target at one camera")
    min_cameras: int = Field(2, description="Distinct cameras a companion must share")

    def search(self) -> queries.ConvoySearch:
        return queries.ConvoySearch(
            self.plate, self.start, self.end, self.within_s, self.min_cameras
        )


class CompanionOut(Schema):
    plate: str
    cameras: int
    meetings: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    reads: list[ReadSummary]


class ConvoyOut(Schema):
    plate: str
    target_reads: list[ReadSummary]
    results: list[CompanionOut]


class SightingsIn(JustificationIn):
    hours: int = Field(24, description="Hours either side of the read")


class SightingsOut(Schema):
    read: ReadSummary
    start: dt.datetime
    end: dt.datetime
    results: list[ReadSummary]
    truncated: bool


class ExportIn(Schema):
    format: queries.ExportFormat = queries.ExportFormat.CSV


class CanvassExportIn(CanvassPlatesIn, ExportIn):
    """The canvass to export, narrowed like `/reads/canvass` by `make`, `color` and `type`."""


class ScenesExportIn(ScenesIn, ExportIn):
    pass


class ConvoyExportIn(ConvoyIn, ExportIn):
    pass


def _scene(text: str) -> queries.Window:
    parts = text.split(",")
    if len(parts) != 5:
        raise QueryError(f"scene: {text!r} is not lat,lon,radius_m,start,end")
    try:
        lat, lon, radius = (float(p) for p in parts[:3])
        start, end = (dt.datetime.fromisoformat(p.strip().replace(" ", "+")) for p in parts[3:])
    except ValueError:
        raise QueryError(f"scene: {text!r} is not lat,lon,radius_m,start,end") from None
    return queries.Window(area_from(latitude=lat, longitude=lon, radius_m=radius), start, end)


def _download(document) -> HttpResponse:
    response = HttpResponse(document.body, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/reads/canvass", response=SearchOut, summary="Canvass: reads in an area and window")
def canvass(request: PersonRequest, params: Query[CanvassPageIn]) -> dict:
    """Reads inside a circle (`lat`, `lon`, `radius_m`) or a `polygon` between `start` and
    `end` (at most 31 days), newest first. Requires `purpose` (and `case_number` unless
    exempt); needs the canvass permission. `make`, `color` and `type` keep only the reads of
    vehicles of that description."""
    page = queries.canvass(
        api_requester(request),
        params.justification(),
        params.window(),
        cursor=params.cursor,
        limit=params.limit,
        vehicle=params.vehicle(),
    )
    return {"results": page.results, "next": page.next_cursor}


@router.get(
    "/reads/canvass/plates", response=GroupedOut, summary="Canvass grouped by plate (counts)"
)
def canvass_plates(request: PersonRequest, params: Query[CanvassPlatesIn]) -> dict:
    """The same area and window as `/reads/canvass`, one row per plate with its count of reads
    and cameras and when it was first and last seen there."""
    grouped = queries.canvass_by_plate(
        api_requester(request), params.justification(), params.window(), vehicle=params.vehicle()
    )
    return {"results": grouped.groups, "total_reads": grouped.total_reads}


@router.get("/reads/canvass/export", summary="Export a canvass as CSV or GeoJSON")
def canvass_export(request: PersonRequest, params: Query[CanvassExportIn]) -> HttpResponse:
    """Every read of the canvass as a file, only those of the vehicle description when `make`,
    `color` or `type` is given (as `/reads/canvass` lists them); the export is audited (needs
    the export permission)."""
    return _download(
        queries.export(
            api_requester(request),
            params.justification(),
            params.window(),
            params.format,
            vehicle=params.vehicle(),
        )
    )


@router.get("/reads/scenes", response=ScenesOut, summary="Multiple scenes: plates at K of N")
def scenes(request: PersonRequest, params: Query[ScenesIn]) -> dict:
    """Plates seen in at least `min_scenes` (default: all) of two or more place-and-time
    windows, the most scenes first, with their reads there."""
    hits = queries.multiple_scenes(api_requester(request), params.justification(), params.scenes())
    return {"results": hits}


@router.get("/reads/scenes/export", summary="Export a multiple-scenes result")
def scenes_export(request: PersonRequest, params: Query[ScenesExportIn]) -> HttpResponse:
    return _download(
        queries.export(
            api_requester(request), params.justification(), params.scenes(), params.format
        )
    )


@router.get("/reads/convoy", response=ConvoyOut, summary="Convoy: plates travelling with a plate")
def convoy(request: PersonRequest, params: Query[ConvoyIn]) -> dict:
    """Plates read within `within_s` seconds of the target plate at the same camera, at
    `min_cameras` or more distinct cameras, between `start` and `end`."""
    result = queries.convoy(api_requester(request), params.justification(), params.search())
    return {
        "plate": result.plate,
        "target_reads": result.target_reads,
        "results": result.companions,
    }


@router.get("/reads/convoy/export", summary="Export a convoy result")
def convoy_export(request: PersonRequest, params: Query[ConvoyExportIn]) -> HttpResponse:
    return _download(
        queries.export(
            api_requester(request), params.justification(), params.search(), params.format
        )
    )


@router.get(
    "/reads/{read_id}/sightings", response=SightingsOut, summary="The plate around one read"
)
def read_sightings(request: PersonRequest, read_id: str, params: Query[SightingsIn]) -> dict:
    """The read's plate in the `hours` before and after it, oldest first."""
    found = queries.sightings(
        api_requester(request), params.justification(), read_id, hours=params.hours
    )
    return {
        "read": found.read,
        "start": found.start,
        "end": found.end,
        "results": found.reads,
        "truncated": found.truncated,
    }

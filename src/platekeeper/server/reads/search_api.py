"""API routes through which people reach reads: each call states a purpose and is audited."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from platekeeper.server.access.auth import PERSON_AUTH, PersonRequest, api_requester
from platekeeper.server.access.gate import Justification
from platekeeper.server.reads import queries

router = Router(tags=["reads"], auth=PERSON_AUTH)


class JustificationIn(Schema):
    # Missing is refused by the gate (400, audited); the lengths are those of the audit record.
    purpose: str = Field("", max_length=40)
    case_number: str = Field("", max_length=60)
    note: str = Field("", max_length=300, description="Free text recorded with the access")
    on_behalf_of: str = Field(
        "",
        max_length=200,
        description="Another agency (name or ORI) this access is made for; it must be a "
        "California public agency whose agreement covers it",
    )
    on_behalf_of_person: str = Field(
        "", max_length=150, description="The person who asked for it, named in the audit log"
    )
    #: Read by `api_requester` (listed here so the document shows it and a non-number is 422).
    approval: int | None = Field(
        None, description="The approval a held broad request is sent again under, once"
    )

    def justification(self) -> Justification:
        return Justification(
            purpose=self.purpose,
            case_number=self.case_number,
            note=self.note,
            on_behalf_of_agency=self.on_behalf_of,
            on_behalf_of_person=self.on_behalf_of_person,
        )


class VehicleIn(Schema):
    """A vehicle description to filter by; each term matches its field ignoring case."""

    make: str = Field("", description="Vehicle make, e.g. `Toyota`")
    color: str = Field("", description="Vehicle colour, e.g. `white`")
    type: str = Field("", description="Vehicle body type, e.g. `pickup`")

    def vehicle(self) -> queries.VehicleFilter:
        return queries.VehicleFilter(make=self.make, color=self.color, type=self.type)


class SearchIn(JustificationIn, VehicleIn):
    plate: str = ""
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    cursor: str | None = None
    limit: int = 50
    lookalike: bool = False


class SearchOut(Schema):
    results: list[queries.ReadSummary]
    next: str | None


@router.get("/reads/search", response=SearchOut, summary="Search reads of a plate")
def search_reads(request: PersonRequest, params: Query[SearchIn]) -> dict:
    """Reads of a plate, newest first. Requires `purpose` (and `case_number` unless exempt).

    `plate` may be partial (`7AB?12`: one unknown character, `*X9*`: any run), and
    `lookalike=true` also finds look-alike characters (0/O, 8/B...); both need `start` and
    `end` (at most 31 days apart). `make`, `color` and `type` narrow to a vehicle description;
    given without any plate they make a broad query, which needs `case_number` and a window
    of at most 7 days."""
    page = queries.search_plate(
        api_requester(request),
        params.justification(),
        plate=params.plate,
        start=params.start,
        end=params.end,
        cursor=params.cursor,
        limit=params.limit,
        lookalike=params.lookalike,
        vehicle=params.vehicle(),
    )
    return {"results": page.results, "next": page.next_cursor}


@router.get("/reads/{read_id}", response=queries.ReadDetail, summary="One read in full")
def get_read(
    request: PersonRequest, read_id: str, params: Query[JustificationIn]
) -> queries.ReadDetail:
    return queries.read_detail(api_requester(request), params.justification(), read_id)


@router.get("/images/{sha256}", summary="A plate crop or overview image")
def get_image(request: PersonRequest, sha256: str, params: Query[JustificationIn]) -> HttpResponse:
    data, content_type = queries.read_image(api_requester(request), params.justification(), sha256)
    response = HttpResponse(data, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response

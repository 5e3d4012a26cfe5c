"""API route for importing a hotlist file (what the web upload and the CLI do too)."""

from __future__ import annotations

from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile

from platekeeper.hotlist_formats import (
    HotlistFormatError,
    open_text,
    parse_mapping,
    require_format,
)
from platekeeper.server.access.auth import PERSON_AUTH, PersonRequest, api_requester
from platekeeper.server.hotlists.actions import HotlistError, add_entry, import_entries
from platekeeper.server.hotlists.models import Hotlist
from platekeeper.server.hotlists.queries import SharedEntry, shared_entries
from platekeeper.server.reads.queries import ReadSummary
from platekeeper.server.reads.search_api import JustificationIn

router = Router(tags=["hotlists"], auth=PERSON_AUTH)


class InvalidRowOut(Schema):
    line: int
    reason: str


class RefusedRowOut(Schema):
    line: int
    category: str
    reason: str


class ImportOut(Schema):
    hotlist: str
    added: int
    removed: int
    unchanged: int
    invalid: list[InvalidRowOut]
    refused: list[RefusedRowOut]


@router.post("/hotlists/{name}/import", response=ImportOut, summary="Import a hotlist file")
def import_hotlist(
    request: PersonRequest,
    name: str,
    file: File[UploadedFile],
    format: Form[str] = "csv",
    replace: Form[bool] = False,
    mapping: Form[str] = "",
) -> dict:
    """Import a file in a registered format (`csv`: header with `plate`...; `ncic`), atomically.

    `refused` lists the lines the department may not act on (an NCIC Immigration Violator File
    record: Gov. Code §7284.6), left out while the rest imports.
    `replace=true` removes entries the file no longer holds; `mapping` renames CSV columns
    (`plate=LicNo,state=St`). Needs the administrator's manage-settings permission and current
    training (asked by the import itself, as on the web page and the CLI).
    """
    requester = api_requester(request)
    hotlist = Hotlist.objects.filter(name=name).first()
    if hotlist is None:
        raise HotlistError(f"name: no hotlist named {name!r}")
    text = open_text(file.read())
    try:
        rows = require_format(format).parse(text, parse_mapping(mapping))
        report = import_entries(
            hotlist,
            rows,
            requester=requester,
            replace=replace,
            source_name=file.name or "upload",
        )
    except HotlistFormatError as error:
        raise HotlistError(str(error)) from None
    return {
        "hotlist": name,
        "added": report.added,
        "removed": report.removed,
        "unchanged": report.unchanged,
        "invalid": [{"line": row.line, "reason": row.reason} for row in report.invalid],
        "refused": [
            {"line": row.line, "category": row.category, "reason": row.reason}
            for row in report.refused
        ],
    }


class EntryIn(JustificationIn):
    """A plate to enter; the purpose, case number, note and on whose behalf are the
    search-back's, and the case number is the entry's too."""

    plate: str
    state: str = ""
    reason: str = ""
    description: str = ""
    search_back_days: int = 0


class EntryOut(Schema):
    id: int
    hotlist: str
    plate: str
    search_back: list[ReadSummary] | None


@router.post(
    "/hotlists/{name}/entries", response=EntryOut, summary="Enter a plate or partial plate"
)
def enter_plate(request: PersonRequest, name: str, body: EntryIn) -> dict:
    """Enter `plate` (wildcards allowed: `7AB?12`, `*X9*`; at least 4 known characters) on
    hotlist `name`; with `search_back_days` (1-31) the stored reads of that window are searched
    for it at once and returned: a search like any other, under the `purpose` and `case_number`
    stated here, refused without them (and then the entry is not added either)."""
    hotlist = Hotlist.objects.filter(name=name).first()
    if hotlist is None:
        raise HotlistError(f"name: no hotlist named {name!r}")
    entered = add_entry(
        hotlist,
        body.plate,
        requester=api_requester(request),
        state=body.state,
        reason=body.reason,
        description=body.description,
        case_number=body.case_number,
        search_back_days=body.search_back_days,
        justification=body.justification(),
    )
    return {
        "id": entered.entry.pk,
        "hotlist": name,
        "plate": entered.entry.plate_normalized,
        "search_back": entered.search_back.results if entered.search_back else None,
    }


@router.get(
    "/shared/hotlist-entries",
    response=list[SharedEntry],
    summary="Hotlist entries shared with a partner agency",
)
def get_shared_entries(request: PersonRequest, params: Query[JustificationIn]) -> list[SharedEntry]:
    """For a partner agency whose agreement includes hotlist entries: every live entry of this
    department's active hotlists, so its own cameras can alert. Audited and sharing-logged."""
    return shared_entries(api_requester(request), params.justification())

"""API route for importing a hotlist file (what the web upload and the CLI do too)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from platekeeper.hotlist_formats import (
    HotlistFormatError,
    open_text,
    parse_csv,
    parse_mapping,
    parse_ncic,
)
from platekeeper.server.access.audit import Actor
from platekeeper.server.access.auth import PERSON_AUTH, api_requester
from platekeeper.server.access.gate import ADMINISTRATIVE, authorize
from platekeeper.server.access.roles import Permission
from platekeeper.server.hotlists.actions import HotlistError, import_entries
from platekeeper.server.hotlists.models import Hotlist

router = Router(tags=["hotlists"], auth=PERSON_AUTH)


class InvalidRowOut(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    hotlist: str
    added: int
    removed: int
    unchanged: int
    invalid: list[InvalidRowOut]


@router.post("/hotlists/{name}/import", response=ImportOut, summary="Import a hotlist file")
def import_hotlist(
    request: HttpRequest,
    name: str,
    file: File[UploadedFile],
    format: Form[str] = "csv",
    replace: Form[bool] = False,
    mapping: Form[str] = "",
) -> dict:
    """Import a CSV (header with `plate`, ...) or NCIC-style file into hotlist `name`, atomically.

    `replace=true` removes entries the file no longer holds; `mapping` renames CSV columns
    (`plate=LicNo,state=St`). Needs the administrator's manage-settings permission.
    """
    requester = api_requester(request)
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action="hotlist.import",
        query={"hotlist": name},
    )
    hotlist = Hotlist.objects.filter(name=name).first()
    if hotlist is None:
        raise HotlistError(f"name: no hotlist named {name!r}")
    if format not in {"csv", "ncic"}:
        raise HotlistError("format: must be csv or ncic")
    text = open_text(file.read())
    try:
        rows = parse_csv(text, parse_mapping(mapping)) if format == "csv" else parse_ncic(text)
        report = import_entries(
            hotlist,
            rows,
            actor=Actor.of(requester.user),
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
    }

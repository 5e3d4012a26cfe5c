"""Hotlist pages: the lists, importing a file (with its report of refused lines), entering a plate.

Hotlists decide who gets stopped, so changing them is an administrative act: `hotlists.actions`
asks the gate (permission, account, training) and audits; these views only call them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from platekeeper.hotlist_formats import HotlistFormatError, open_text, require_format
from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.hotlists.actions import (
    HotlistError,
    add_entry,
    create_hotlist,
    import_entries,
)
from platekeeper.server.hotlists.models import Hotlist
from platekeeper.server.hotlists.queries import hotlist_page, hotlists_overview
from platekeeper.server.reads.queries import QueryError
from platekeeper.server.web import forms
from platekeeper.server.web.common import AuthenticatedRequest, justification, requester

#: Refused lines shown on the page after an import; the count says how many more there were.
SHOWN_INVALID = 200
#: Newest entries listed on a hotlist's page (a state list has hundreds of thousands).
SHOWN_ENTRIES = 100


@login_required
@require_http_methods(["GET", "POST"])
def hotlists(request: AuthenticatedRequest) -> HttpResponse:
    form = forms.HotlistForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hotlist = create_hotlist(
                data["name"],
                requester=requester(request),
                source=data["source"],
                category=data["category"],
                priority=data["priority"],
                fuzzy=data["fuzzy"],
            )
        except HotlistError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Created {hotlist.name}.")
            return redirect("web:hotlist", hotlist_id=hotlist.pk)
    return render(
        request,
        "web/hotlists.html",
        {"form": form, "hotlists": hotlists_overview(requester(request))},
        status=400 if form.errors else 200,
    )


def _hotlist_page(
    request: AuthenticatedRequest, hotlist: Hotlist, status: int = 200, **extra: Any
) -> HttpResponse:
    page = hotlist_page(requester(request), hotlist, shown=SHOWN_ENTRIES)
    context: dict[str, Any] = {
        "hotlist": hotlist,
        "size": page.size,
        "entries": page.newest,
        "shown_entries": SHOWN_ENTRIES,
        "import_form": forms.HotlistImportForm(),
        "entry_form": forms.HotlistEntryForm(),
    }
    context.update(extra)
    return render(request, "web/hotlist.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def hotlist(request: AuthenticatedRequest, hotlist_id: int) -> HttpResponse:
    """The hotlist; asked with an entry's fields (the "Run" of an approved search-back), its
    entry form comes filled in with them and the approval's number."""
    target = get_object_or_404(Hotlist, pk=hotlist_id)
    if "plate" not in request.GET:
        return _hotlist_page(request, target)
    filled = {
        name: request.GET[name]
        for name in forms.HotlistEntryForm.base_fields
        if name in request.GET
    }
    return _hotlist_page(request, target, entry_form=forms.HotlistEntryForm(initial=filled))


def _entry_page(hotlist: Hotlist, data: dict[str, Any]) -> str:
    """This hotlist's page with the entry form filled in with `data` again: where a held
    search-back is entered again from, once approved."""
    fields = {
        name: value
        for name, value in data.items()
        if value not in (None, "") and name != "approval"
    }
    return f"{reverse('web:hotlist', args=[hotlist.pk])}?{urlencode(fields)}"


@login_required
@require_POST
def hotlist_import(request: AuthenticatedRequest, hotlist_id: int) -> HttpResponse:
    """Import an uploaded file in one transaction and show what it did, line by line."""
    target = get_object_or_404(Hotlist, pk=hotlist_id)
    form = forms.HotlistImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _hotlist_page(request, target, status=400, import_form=form)
    upload = form.cleaned_data["file"]
    text = open_text(upload.read())
    rows = require_format(form.cleaned_data["format"]).parse(text, form.cleaned_data["mapping"])
    try:
        report = import_entries(
            target,
            rows,
            requester=requester(request),
            replace=form.cleaned_data["replace"],
            source_name=upload.name,
        )
    except HotlistFormatError as error:
        form.add_error("file", str(error))
        return _hotlist_page(request, target, status=400, import_form=form)
    target.refresh_from_db()
    return _hotlist_page(
        request,
        target,
        report=report,
        report_file=upload.name,
        invalid=report.invalid[:SHOWN_INVALID],
        more_invalid=max(0, len(report.invalid) - SHOWN_INVALID),
    )


@login_required
@require_POST
def hotlist_add(request: AuthenticatedRequest, hotlist_id: int) -> HttpResponse:
    """Enter one plate or partial plate by hand (a major crime's partial plate, a BOLO).

    A search-back runs under the purpose and case number stated for this session; refused, the
    plate is not entered either."""
    target = get_object_or_404(Hotlist, pk=hotlist_id)
    form = forms.HotlistEntryForm(request.POST)
    if not form.is_valid():
        return _hotlist_page(request, target, status=400, entry_form=form)
    data = form.cleaned_data
    days = data["search_back_days"] or 0
    stated = justification(request)
    if days and stated is not None and data["case_number"] and not stated.case_number:
        stated = dataclasses.replace(stated, case_number=data["case_number"])
    try:
        entered = add_entry(
            target,
            data["plate"],
            requester=requester(request, origin=_entry_page(target, data)),
            state=data["state"],
            reason=data["reason"],
            description=data["description"],
            case_number=data["case_number"],
            search_back_days=days,
            justification=stated,
        )
    except AccessDenied as error:
        if error.status == 400 and days:
            form.add_error(None, f"Search-back refused, plate not entered: {error}")
            return _hotlist_page(request, target, status=400, entry_form=form)
        raise
    except (HotlistError, QueryError) as error:
        form.add_error(None, str(error))
        return _hotlist_page(request, target, status=400, entry_form=form)
    messages.success(
        request,
        f"Entered {entered.entry.plate_normalized} on {target.name}: reads from now on are "
        "matched against it.",
    )
    if entered.search_back is not None:
        return _hotlist_page(
            request,
            target,
            retro=entered.search_back,
            retro_plate=entered.entry.plate_normalized,
            retro_days=days,
        )
    return redirect("web:hotlist", hotlist_id=target.pk)

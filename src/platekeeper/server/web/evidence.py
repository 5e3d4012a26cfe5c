"""Evidence and retention pages (Policy 438.4): holds, exports to portable media, the schedule.

Views stay thin: `retention.actions` places and releases holds and changes the schedule,
`retention.evidence.export_case` writes the export exactly as `platekeeper evidence export`
does, and the access gate and audit log see the signed-in person, on the `ui` channel.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from platekeeper.server.access.gate import AccessDenied
from platekeeper.server.access.roles import Permission
from platekeeper.server.retention.actions import (
    HoldSelection,
    RetentionError,
    place_hold,
    release_holds,
    set_retention,
)
from platekeeper.server.retention.evidence import export_case
from platekeeper.server.retention.models import HoldReason
from platekeeper.server.retention.queries import (
    EvidenceError,
    RetentionKind,
    current_settings,
    list_holds,
    recent_purges,
    retention_schedule,
)
from platekeeper.server.web.common import (
    PURPOSE_KEY,
    AuthenticatedRequest,
    justification,
    refused,
    requester,
    require,
    safe_next,
)

#: Session key of the exports made in this session, newest first, so the page can show each
#: manifest's SHA-256 after the download (it goes on the evidence label).
EXPORTS_KEY = "platekeeper_evidence_exports"
SHOWN_EXPORTS = 5
SHOWN_PURGES = 10
MANIFEST_HEADER = "X-Manifest-SHA256"


# --- forms ---------------------------------------------------------------------------------


class UUIDListField(forms.Field):
    """Every value of a repeated field (checkboxes), each a read id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> tuple[uuid.UUID, ...]:
        try:
            return tuple(dict.fromkeys(uuid.UUID(str(item)) for item in value or []))
        except ValueError:
            raise forms.ValidationError("not a read id") from None


class HoldForm(forms.Form):
    """What every hold states: the case, the lawful grounds and who asked for it."""

    case_number = forms.CharField(max_length=60, label="Case number")
    reason = forms.ChoiceField(choices=HoldReason.choices, label="Grounds")
    requested_by = forms.CharField(
        max_length=200, label="Requested by", help_text="e.g. DDA J. Doe, or Subpoena 2026-114"
    )
    note = forms.CharField(max_length=500, required=False)


class PlateHoldForm(HoldForm):
    """Every read of a plate, optionally in a window of whole days (this server's time zone)."""

    plate = forms.CharField(max_length=16)
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"})
    )


class SelectedHoldForm(HoldForm):
    """Reads ticked on the search page."""

    read_id = UUIDListField(
        label="Reads",
        error_messages={"required": "tick the reads to hold on the search page first"},
    )


class ReleaseForm(forms.Form):
    case_number = forms.CharField(max_length=60, label="Case number")
    reason = forms.CharField(
        max_length=300,
        label="Why the hold is no longer needed",
        help_text="e.g. case adjudicated, discovery closed",
    )


class ExportForm(forms.Form):
    case_number = forms.CharField(max_length=60, label="Case number")


class RetentionForm(forms.Form):
    """One period per kind of data, and the reason for any period below the policy minimum."""

    override_reason = forms.CharField(
        max_length=300,
        required=False,
        label="Override reason",
        help_text="Required for a period below the policy minimum; recorded and shown publicly",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in RetentionKind:
            self.fields[kind.field] = forms.IntegerField(
                min_value=1, max_value=36_500, label=kind.label
            )

    def rows(self) -> list[forms.BoundField]:
        return [self[kind.field] for kind in RetentionKind]


# --- evidence holds and exports ----------------------------------------------------------


def _evidence_context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    stated = request.session.get(PURPOSE_KEY) or {}
    case = {"case_number": stated.get("case_number", "")}
    include_released = request.GET.get("all") == "1"
    context: dict[str, Any] = {
        "holds": list_holds(requester(request), include_released=include_released),
        "include_released": include_released,
        "standing_cases": sorted({hold.case_number for hold in list_holds(requester(request))}),
        "hold_form": PlateHoldForm(initial=case),
        "release_form": ReleaseForm(),
        "export_form": ExportForm(initial=case),
        "exports": request.session.get(EXPORTS_KEY, []),
        "has_purpose": bool(stated),
        "manifest_header": MANIFEST_HEADER,
    }
    context.update(extra)
    return context


def _evidence_page(request: AuthenticatedRequest, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "web/evidence.html", _evidence_context(request, **extra), status=status)


def _state_purpose_first(request: AuthenticatedRequest) -> HttpResponse:
    """Choosing or exporting reads is an access to ALPR data: state a purpose, then come back."""
    back = safe_next(request, fallback="web:evidence")
    return redirect(f"{reverse('web:purpose')}?{urlencode({'next': back})}")


@login_required
@require_GET
def evidence(request: AuthenticatedRequest) -> HttpResponse:
    """Holds (case, grounds, people, size; never the plates), and the forms to change them.

    `list_holds` asks the gate for the page (a refusal rendered by the gate's middleware)."""
    return _evidence_page(request)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@require(Permission.PLACE_HOLDS, action="retention.hold_place")
@require_POST
def evidence_hold(request: AuthenticatedRequest) -> HttpResponse:
    """Hold reads ticked on the search page, or every read of a plate in a window."""
    stated = justification(request)
    if stated is None:
        return _state_purpose_first(request)
    selected = request.POST.get("selection") == "search"
    form = SelectedHoldForm(request.POST) if selected else PlateHoldForm(request.POST)
    if not form.is_valid():
        if selected:
            return _evidence_page(request, status=400, refusal=_errors(form))
        return _evidence_page(request, status=400, hold_form=form)
    data = form.cleaned_data
    if selected:
        selection = HoldSelection(read_ids=data["read_id"])
    else:
        selection = HoldSelection(
            plate=data["plate"],
            start=_local_midnight(data["start"]) if data["start"] else None,
            end=_local_midnight(data["end"] + dt.timedelta(days=1)) if data["end"] else None,
        )
    try:
        hold = place_hold(
            requester(request),
            purpose=stated.purpose,
            case_number=data["case_number"],
            reason=HoldReason(data["reason"]),
            requested_by=data["requested_by"],
            note=data["note"],
            selection=selection,
        )
    except (AccessDenied, RetentionError) as error:
        kept = {} if selected else {"hold_form": form}
        return refused(request, "web/evidence.html", _evidence_context(request, **kept), error)
    messages.success(
        request,
        f"Hold #{hold.pk} placed for case {hold.case_number}: {hold.items.count()} reads "
        "will be kept past retention until the hold is released.",
    )
    return redirect("web:evidence")


def _errors(form: forms.Form) -> str:
    return " ".join(
        f"{form.fields[name].label or name}: {error}" if name != "__all__" else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


@login_required
@require_POST
def evidence_release(request: AuthenticatedRequest) -> HttpResponse:
    """Release every standing hold of a case, with the reason; `release_holds` and the page's
    `list_holds` ask the gate (refusals audited and rendered by the gate's middleware)."""
    form = ReleaseForm(request.POST)
    if not form.is_valid():
        return _evidence_page(request, status=400, release_form=form)
    case = form.cleaned_data["case_number"]
    try:
        holds = release_holds(
            case,
            requester=requester(request),
            reason=form.cleaned_data["reason"],
        )
    except RetentionError as error:
        return refused(
            request, "web/evidence.html", _evidence_context(request, release_form=form), error
        )
    messages.success(
        request,
        f"Released {len(holds)} hold(s) of case {case}: its reads now age out like any other.",
    )
    return redirect("web:evidence")


def _zip_name(case: str) -> str:
    return f"evidence-{re.sub(r'[^A-Za-z0-9._-]+', '_', case).strip('._') or 'case'}.zip"


@require(Permission.EXPORT_READS, action="retention.evidence_export")
@require_POST
def evidence_export(request: AuthenticatedRequest) -> HttpResponse | FileResponse:
    """Export a case's held reads as a ZIP download, as `platekeeper evidence export` writes it.

    The manifest's SHA-256 comes back in a response header and is kept in the session, so the
    evidence page shows it (for the property form) once the download has started.
    """
    stated = justification(request)
    if stated is None:
        return _state_purpose_first(request)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _evidence_page(request, status=400, export_form=form)
    case = form.cleaned_data["case_number"].strip()
    # Written under the data dir (where the images are, so there is room), then streamed; the
    # folder is removed before the response starts, the open handle keeps the file readable.
    staging = Path(tempfile.mkdtemp(prefix="evidence-export-", dir=settings.DATA_DIR))
    try:
        result = export_case(
            requester(request),
            case_number=case,
            purpose=stated.purpose,
            out=staging / _zip_name(case),
        )
        handle = Path(result.out).open("rb")  # noqa: SIM115 -- FileResponse closes it
    except (AccessDenied, EvidenceError) as error:
        return refused(
            request, "web/evidence.html", _evidence_context(request, export_form=form), error
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    exports = request.session.get(EXPORTS_KEY, [])
    exports.insert(
        0,
        {
            "case_number": case,
            "manifest_sha256": result.manifest_sha256,
            "reads": result.reads,
            "images": result.images,
            "files": result.files,
            "exported_at": f"{timezone.localtime():%Y-%m-%d %H:%M %Z}",
            "file_name": _zip_name(case),
        },
    )
    request.session[EXPORTS_KEY] = exports[:SHOWN_EXPORTS]
    response = FileResponse(
        handle, as_attachment=True, filename=_zip_name(case), content_type="application/zip"
    )
    response[MANIFEST_HEADER] = result.manifest_sha256
    response["Cache-Control"] = "no-store"
    return response


# --- the retention schedule ----------------------------------------------------------------


@require(Permission.MANAGE_RETENTION, Permission.VIEW_AUDIT)
@require_http_methods(["GET", "POST"])
def retention(request: AuthenticatedRequest) -> HttpResponse:
    """The schedule, any override, and the last purge runs; the custodian and the ALPR
    Administrator change periods.

    `recent_purges` and `set_retention` ask the gate themselves; `require` stays in front so
    that an auditor's POST is refused before its (read-only) form is validated."""
    purges = recent_purges(requester(request), SHOWN_PURGES)
    row = current_settings()
    current = {kind.field: getattr(row, kind.field) for kind in RetentionKind}
    may_change = request.user.has_perm(f"access.{Permission.MANAGE_RETENTION.value}")
    if request.method == "POST" and not may_change:
        return render(
            request,
            "web/refused.html",
            {
                "reason": "Only the ALPR Administrator or a Records Custodian may change "
                "the retention schedule."
            },
            status=403,
        )
    form = RetentionForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        changes = {
            kind: data[kind.field]
            for kind in RetentionKind
            if data[kind.field] != current[kind.field]
        }
        if not changes:
            messages.info(request, "No period changed.")
            return redirect("web:retention")
        try:
            set_retention(
                changes, requester=requester(request), override_reason=data["override_reason"]
            )
        except RetentionError as error:
            # The action's message names the CLI option; say it the way this page does.
            form.add_error(
                None, str(error).replace("give --override-reason", "give an override reason")
            )
        else:
            named = ", ".join(f"{kind.label.lower()} {days} days" for kind, days in changes.items())
            messages.success(request, f"Retention changed: {named}.")
            return redirect("web:retention")
    schedule = retention_schedule()
    return render(
        request,
        "web/retention.html",
        {
            "schedule": schedule,
            "rows": list(zip(schedule.rows, form.rows(), strict=True)),
            "form": form,
            "may_change": may_change,
            "purges": purges,
        },
        status=400 if form.errors else 200,
    )

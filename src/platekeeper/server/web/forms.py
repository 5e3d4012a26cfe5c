"""Forms of the web interface: they check input shape; actions and the gate decide the rest."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from django import forms
from django.utils import timezone

from platekeeper.hotlist_formats import HotlistFormatError, hotlist_formats, parse_mapping
from platekeeper.server.access.models import Purpose
from platekeeper.server.access.reports import REPORT_KINDS
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency
from platekeeper.server.alerts.models import AlertStatus
from platekeeper.server.hotlists.models import HotlistCategory, HotlistSource
from platekeeper.server.reads.queries import VehicleFilter
from platekeeper.server.records.models import Decision, LegalBasis, RequestKind, RequestStatus
from platekeeper.server.retention.actions import HoldSelection


class LoginForm(forms.Form):
    username = forms.CharField(max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        label="6-digit code",
        error_messages={"invalid": "Enter the 6 digits your authenticator app shows."},
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "autocomplete": "one-time-code"}
        ),
    )


class PurposeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Purpose) -> str:
        return obj.label if obj.case_number_required else f"{obj.label} (no case number needed)"


#: The purposes a person may state (lazy: evaluated per form, never at import).
ACTIVE_PURPOSES = Purpose.objects.filter(active=True)


class PurposeForm(forms.Form):
    purpose = PurposeChoiceField(
        queryset=ACTIVE_PURPOSES,
        to_field_name="code",
        empty_label="Choose the purpose of this investigation…",
    )
    case_number = forms.CharField(
        max_length=60,
        required=False,
        label="Case / incident number",
        help_text="Required unless the purpose is marked exempt.",
    )
    note = forms.CharField(
        max_length=300,
        required=False,
        label="Case description (optional)",
        help_text="Recorded with every search of this investigation.",
    )
    on_behalf_of = forms.CharField(
        max_length=200,
        required=False,
        label="On behalf of agency (optional)",
        help_text="Name or ORI of another agency this investigation is for; only a California "
        "public agency whose agreement covers the search.",
    )
    on_behalf_of_person = forms.CharField(
        max_length=150,
        required=False,
        label="Requested by (optional)",
        help_text="The person who asked for it.",
    )

    def __init__(self, *args: Any, allowed: set[str] | None = None, **kwargs: Any) -> None:
        """`allowed` narrows the choice, e.g. to the purposes a partner's agreement names."""
        super().__init__(*args, **kwargs)
        if allowed is not None:
            field = cast(PurposeChoiceField, self.fields["purpose"])
            field.queryset = ACTIVE_PURPOSES.filter(code__in=allowed)


class VehicleFields(forms.Form):
    """Make, colour and type of a vehicle to search for; each matches ignoring case."""

    make = forms.CharField(max_length=40, required=False)
    color = forms.CharField(max_length=40, required=False, label="Colour")
    type = forms.CharField(max_length=40, required=False, label="Type")

    def vehicle(self) -> VehicleFilter:
        data = self.cleaned_data
        return VehicleFilter(make=data["make"], color=data["color"], type=data["type"])


#: The window a search opens on before the person chooses one: a week covers most follow-ups
#: and stays inside the 7-day limit of a search without a plate.
SEARCH_WINDOW = dt.timedelta(days=7)
#: The window a canvass of a crime scene opens on: the day around a fresh incident.
SCENE_WINDOW = dt.timedelta(hours=24)


def when_field(label: str, required: bool = True) -> forms.DateTimeField:
    """A local date and time, to the minute, in the browser's date-time picker."""
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def recent_window(span: dt.timedelta, start: str = "start", end: str = "end") -> dict[str, Any]:
    """Initial values of a From/To pair: the last `span`, local time, to the minute. The end is
    the next minute, so a read made while the page was open is still inside the window."""
    until = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    return {start: until - span, end: until}


class SearchForm(VehicleFields):
    plate = forms.CharField(
        max_length=16,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True}),
        help_text="Partial plates: ? is one unknown character, * any run (e.g. 7AB?12, *X9*)",
    )
    start = when_field("From", required=False)
    end = when_field("To", required=False)
    lookalike = forms.BooleanField(
        required=False, label="Also look-alike characters (0/O, 8/B, 5/S ...)"
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), strip=False
    )
    new_password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    new_password_again = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "The two new passwords differ.")
        return data


class NewUserForm(forms.Form):
    username = forms.CharField(max_length=150)
    full_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=[(role.value, role.label) for role in Role])
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
        help_text="At least 12 characters, unlike the username, not a common password.",
    )


class TrainingForm(forms.Form):
    username = forms.CharField(max_length=150)
    completed_on = forms.DateField(
        label="Completed on", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["completed_on"].initial = timezone.localdate()


class AuditFilterForm(forms.Form):
    username = forms.CharField(max_length=150, required=False)
    action = forms.CharField(
        max_length=40,
        required=False,
        help_text="An action or the start of one (reads. for every data access)",
        widget=forms.TextInput(attrs={"list": "audit-actions"}),
    )
    outcome = forms.ChoiceField(
        required=False, choices=[("", "Any"), ("allowed", "Allowed"), ("denied", "Denied")]
    )
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label="Report", choices=list(REPORT_KINDS.items()))
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    sample_size = forms.IntegerField(
        label="Sample size", min_value=1, max_value=500, initial=20, required=False
    )

    @classmethod
    def with_defaults(cls) -> ReportForm:
        """An unbound form for the last 30 days."""
        today = timezone.localdate()
        return cls(
            initial={"start": today - dt.timedelta(days=30), "end": today, "sample_size": 20}
        )


# --- alerts, hotlists, corrections -----------------------------------------------------------


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *AlertStatus.choices], label="Status"
    )


class StepForm(forms.Form):
    """One verification step; the action decides which result values it accepts."""

    result = forms.CharField(max_length=20, required=False)
    note = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionForm(forms.Form):
    plate = forms.CharField(
        max_length=16, label="The plate really reads", widget=forms.TextInput(attrs={"size": 10})
    )
    reason = forms.CharField(
        max_length=500,
        label="What the image shows",
        widget=forms.TextInput(attrs={"placeholder": "e.g. crop shows 7ABC123, camera read 3"}),
    )


class MetricsForm(forms.Form):
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (7, "Last 7 days"),
            (30, "Last 30 days"),
            (90, "Last 90 days"),
            (365, "Last year"),
        ],
        initial=30,
        required=False,
        label="Period",
    )


class HotlistForm(forms.Form):
    name = forms.CharField(max_length=100)
    category = forms.ChoiceField(choices=HotlistCategory.choices)
    source = forms.ChoiceField(choices=HotlistSource.choices, initial=HotlistSource.MANUAL)
    priority = forms.IntegerField(min_value=1, max_value=5, initial=3, help_text="1 is highest")
    fuzzy = forms.BooleanField(
        required=False, label="Also alert on reads one character away (more false alerts)"
    )


class HotlistImportForm(forms.Form):
    file = forms.FileField(label="Hotlist file")
    format = forms.ChoiceField(
        choices=lambda: [(each.name, each.label) for each in hotlist_formats()]
    )
    mapping = forms.CharField(
        required=False,
        max_length=500,
        label="Column mapping (CSV)",
        help_text="Our name = the file's column, comma-separated: plate=LicNo, state=St",
    )
    replace = forms.BooleanField(
        required=False, label="Replace the list: remove entries the file no longer holds"
    )

    def clean_mapping(self) -> dict[str, str]:
        try:
            return parse_mapping(self.cleaned_data["mapping"])
        except HotlistFormatError as error:
            raise forms.ValidationError(str(error).removeprefix("mapping: ")) from None


class HotlistEntryForm(forms.Form):
    plate = forms.CharField(
        max_length=16, help_text="Partial plates: ? for one unknown character, * for any run"
    )
    state = forms.CharField(max_length=8, required=False)
    reason = forms.CharField(max_length=200, required=False)
    description = forms.CharField(max_length=200, required=False, label="Vehicle description")
    case_number = forms.CharField(max_length=60, required=False, label="Case number")
    search_back_days = forms.IntegerField(
        min_value=0,
        max_value=31,
        initial=7,
        required=False,
        label="Search back (days)",
        help_text="Also search the stored reads of the last days for it (audited under the case)",
    )
    #: A search-back held for approval is entered again from the approvals page's "Run" link,
    #: which fills this form in again with the approval's number.
    approval = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


# --- records requests (438.9) ----------------------------------------------------------------

_DATE = forms.DateInput(attrs={"type": "date"})


class RecordsIntakeForm(forms.Form):
    """What the person who receives a request writes down before forwarding it."""

    requester_name = forms.CharField(max_length=200, label="Requester")
    requester_contact = forms.CharField(
        max_length=300, label="Contact", help_text="Address, e-mail or phone to answer to"
    )
    kind = forms.ChoiceField(choices=RequestKind.choices, label="Kind of request")
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_home=False).order_by("name"),
        required=False,
        empty_label="None: a person or a private body",
        label="Requesting agency",
    )
    data_sought = forms.CharField(
        max_length=10_000, label="Data sought", widget=forms.Textarea(attrs={"rows": 3})
    )
    received_on = forms.DateField(label="Received on", widget=_DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()


class RecordsFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Every request"), *RequestStatus.choices, ("overdue", "Overdue")],
        label="Show",
    )


class RecordsExtendForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        label="Reason for 14 more days",
        help_text="The unusual circumstance, as the notice to the requester states it",
    )


class RecordsDecisionForm(forms.Form):
    """The commander's decision; the action refuses a decision without its legal basis."""

    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    legal_basis = forms.ChoiceField(
        choices=[("", "Choose the legal basis…"), *LegalBasis.choices],
        required=False,
        label="Legal basis",
    )
    withholding_basis = forms.ChoiceField(
        choices=[("", "None (only a release in part withholds)"), *LegalBasis.choices],
        required=False,
        label="Basis for what is withheld",
    )
    note = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RecordsAmendForm(RecordsDecisionForm):
    """An amendment of a decision: the new decision, and why it changes (kept and audited)."""

    reason = forms.CharField(max_length=500, label="Reason for the amendment")


class RecordsReleaseForm(forms.Form):
    """The reads to release, chosen as for an evidence hold: a plate (in a window) or ids."""

    plate = forms.CharField(max_length=16, required=False)
    start = forms.DateField(required=False, label="From", widget=_DATE)
    end = forms.DateField(required=False, label="To (inclusive)", widget=_DATE)
    read_ids = forms.CharField(
        required=False,
        label="Or read ids",
        help_text="One per line, instead of a plate",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_read_ids(self) -> tuple[uuid.UUID, ...]:
        try:
            return tuple(uuid.UUID(line) for line in self.cleaned_data["read_ids"].split())
        except ValueError:
            raise forms.ValidationError("each line must be a read id") from None

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if bool(data.get("plate")) == bool(data.get("read_ids")):
            raise forms.ValidationError(
                "Give either a plate (with an optional window) or read ids."
            )
        return data

    def selection(self) -> HoldSelection:
        """The choice as an evidence-hold selection; days run midnight to midnight here."""
        data = self.cleaned_data

        def midnight(day: dt.date | None, days: int = 0) -> dt.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(
                dt.datetime.combine(day + dt.timedelta(days=days), dt.time())
            )

        return HoldSelection(
            read_ids=data["read_ids"],
            plate=data["plate"],
            start=midnight(data["start"]),
            end=midnight(data["end"], days=1),
        )

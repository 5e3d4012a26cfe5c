"""Sharing agreements, the sharing switch, the sharing log and the daily self-check.

Rows here change only through `sharing/actions.py`, which writes each change's full terms to
the audit log; `integrity.py` compares the rows with those records on every partner access and
in the daily self-check.
"""

from __future__ import annotations

import datetime as dt

from django.db import models

from platekeeper.server.access.models import Purpose
from platekeeper.server.agencies.models import Agency


class Scope(models.TextChoices):
    """What an agreement lets a partner receive (438.6)."""

    ALERTS = "alerts", "Alerts only"
    HOTLIST_ENTRIES = "hotlist_entries", "Hotlist entries"
    READS_ON_REQUEST = "reads_on_request", "Reads on request"
    SEARCH = "search", "Search access"


class AgreementKind(models.TextChoices):
    CONTRACT = "contract", "Contract"
    MOU = "mou", "Memorandum of understanding"


class AgreementQuerySet(models.QuerySet):
    def in_effect(self, today: dt.date) -> AgreementQuerySet:
        """Agreements neither revoked nor ended nor pending on `today` (as `status` says)."""
        return self.filter(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)


class Agreement(models.Model):
    """A contract or MOU, approved by the Chief of Police, under which a partner gets data."""

    partner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    kind = models.CharField(max_length=10, choices=AgreementKind.choices)
    reference = models.CharField(max_length=100, help_text="The document's number or title")
    scopes = models.JSONField(default=list, help_text="Scope values, see Scope")
    purposes = models.ManyToManyField(Purpose, related_name="+")
    partner_retention_days = models.PositiveIntegerField(
        help_text="How long the partner promises to keep what it receives"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    approved_by = models.CharField(max_length=150, help_text="Name of the Chief of Police")
    approved_on = models.DateField()
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)
    revoke_reason = models.CharField(max_length=300, blank=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return f"{self.reference} with {self.partner}"

    def status(self, today: dt.date) -> str:
        """revoked, ended, pending or in effect."""
        if self.revoked_at is not None:
            return "revoked"
        if today > self.ends_on:
            return "ended"
        if today < self.starts_on:
            return "pending"
        return "in effect"

    def in_effect(self, today: dt.date) -> bool:
        return self.status(today) == "in effect"

    def scope_labels(self) -> list[str]:
        return [Scope(value).label for value in self.scopes]


class SharingSettings(models.Model):
    """The one switch for all sharing (one row, pk=1); off until an administrator turns it on."""

    sharing_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name_plural = "sharing settings"

    def __str__(self) -> str:
        return f"sharing {'on' if self.sharing_enabled else 'off'}"


class Disclosure(models.Model):
    """The sharing log: one row for each time data was sent or shown to a partner agency.

    Names are copied, so the log reads right after an agency or user is renamed; the audit event
    of the same access is linked by id.
    """

    occurred_at = models.DateTimeField()
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="disclosures")
    agency = models.CharField(max_length=200)
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    what = models.CharField(max_length=300)
    purpose = models.CharField(max_length=40, blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    record_count = models.IntegerField(default=0)
    audit_event_id = models.BigIntegerField(null=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["agency", "occurred_at"], name="disclosure_agency_time")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.agency}: {self.what}"


class SelfCheck(models.Model):
    """One run of the daily comparison of the effective sharing state with what was approved."""

    ran_at = models.DateTimeField()
    ok = models.BooleanField()
    findings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'DRIFT'}"

"""Alert and AlertAction models: a hotlist hit and every step taken on it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from platekeeper.server.hotlists.models import Hotlist, HotlistEntry
from platekeeper.server.reads.models import Read


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    VERIFIED = "verified", "Verified (confirmed hit)"
    MISREAD = "misread", "Misread"
    CLEARED = "cleared", "Not on file / cleared"


CLOSED_STATUSES = {AlertStatus.VERIFIED, AlertStatus.MISREAD, AlertStatus.CLEARED}


class VisualCheck(models.TextChoices):
    MATCH = "match", "Plate, state and vehicle match the entry"
    MISMATCH = "mismatch", "Does not match the entry"


class CletsCheck(models.TextChoices):
    ON_FILE = "on_file", "Still on file"
    NOT_ON_FILE = "not_on_file", "Not on file"


class Alert(models.Model):
    """One read matching one hotlist entry. The entry is copied so the alert reads the same
    after the list is refreshed; `entry` is cleared when the source file drops the entry."""

    read = models.ForeignKey(Read, on_delete=models.CASCADE, related_name="+")
    entry = models.ForeignKey(HotlistEntry, on_delete=models.SET_NULL, null=True, related_name="+")
    hotlist = models.ForeignKey(Hotlist, on_delete=models.SET_NULL, null=True, related_name="+")
    hotlist_name = models.CharField(max_length=100)
    category = models.CharField(max_length=20)
    priority = models.PositiveSmallIntegerField()
    plate = models.CharField(max_length=10, help_text="The read's plate")
    entry_plate = models.CharField(max_length=10)
    entry_state = models.CharField(max_length=8, blank=True)
    entry_description = models.CharField(max_length=200, blank=True)
    entry_reason = models.CharField(max_length=200, blank=True)
    entry_case_number = models.CharField(max_length=60, blank=True)
    entry_ncic_number = models.CharField(max_length=20, blank=True)
    entry_entered_at = models.DateTimeField()
    match_kind = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    visual_check = models.CharField(max_length=10, choices=VisualCheck.choices, blank=True)
    clets_check = models.CharField(max_length=12, choices=CletsCheck.choices, blank=True)
    enforcement_recorded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["read", "entry"], name="one_alert_per_read_entry")
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="alert_status_time")]

    def __str__(self) -> str:
        return f"{self.plate} on {self.hotlist_name} ({self.match_kind})"


class AlertAction(models.Model):
    """A step on an alert: who, when, what, and the note they gave."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=30)
    value = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} by {self.user} at {self.at:%Y-%m-%d %H:%M}"

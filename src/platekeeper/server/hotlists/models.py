"""Hotlist and HotlistEntry models, and the generation counter that tells matchers to reload."""

from __future__ import annotations

from django.db import models


class HotlistSource(models.TextChoices):
    STATE = "state", "State / NCIC file"
    MANUAL = "manual", "Entered by hand"
    BOLO = "bolo", "BOLO"


class HotlistCategory(models.TextChoices):
    STOLEN_VEHICLE = "stolen_vehicle", "Stolen vehicle"
    STOLEN_PLATE = "stolen_plate", "Stolen plate"
    WANTED_PERSON = "wanted_person", "Wanted person"
    MISSING_PERSON = "missing_person", "Missing person"
    AMBER_ALERT = "amber_alert", "AMBER alert"
    WARRANT = "warrant", "Warrant"
    OTHER = "other", "Other"


class Hotlist(models.Model):
    """A named list of plates of interest with the rules for matching against it."""

    name = models.CharField(max_length=100, unique=True)
    source = models.CharField(max_length=10, choices=HotlistSource.choices)
    category = models.CharField(max_length=20, choices=HotlistCategory.choices)
    priority = models.PositiveSmallIntegerField(default=3, help_text="1 (highest) to 5")
    fuzzy = models.BooleanField(
        default=False, help_text="Also match reads one character away (more false alerts)"
    )
    freshness_hours = models.PositiveIntegerField(
        default=24, help_text="Alerts on entries older than this are flagged stale (0: never)"
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "name"]

    def __str__(self) -> str:
        return self.name


class HotlistEntry(models.Model):
    """One plate of interest. `plate_normalized` may hold wildcards (`?` one, `*` any run)."""

    hotlist = models.ForeignKey(Hotlist, on_delete=models.CASCADE, related_name="entries")
    plate = models.CharField(max_length=16)
    plate_normalized = models.CharField(max_length=10)
    state = models.CharField(max_length=8, blank=True)
    plate_type = models.CharField(max_length=20, blank=True)
    vehicle_description = models.CharField(max_length=200, blank=True)
    ncic_number = models.CharField(max_length=20, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    entered_by = models.CharField(max_length=150, blank=True)
    entered_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "hotlist entries"
        constraints = [
            models.UniqueConstraint(
                fields=["hotlist", "plate_normalized", "state"], name="one_entry_per_plate_state"
            )
        ]
        indexes = [models.Index(fields=["plate_normalized"], name="hotlist_entry_plate")]

    def __str__(self) -> str:
        return f"{self.plate_normalized} ({self.hotlist})"


class HotlistGeneration(models.Model):
    """Changed by every change to hotlists, so each process knows to rebuild its matcher."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)

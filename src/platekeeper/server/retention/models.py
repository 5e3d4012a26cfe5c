"""Retention settings, evidence holds and the record of each purge run (data only, no logic)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RetentionSettings(models.Model):
    """How many days each kind of data is kept (one row, pk=1).

    Alerts and hotlists are stored by apps that do not exist yet; their periods are kept here so
    that one page shows the whole schedule, and the purge will honour them once they do.
    """

    reads_days = models.PositiveIntegerField(default=365)
    images_days = models.PositiveIntegerField(default=365)
    alerted_reads_days = models.PositiveIntegerField(default=730)
    alerts_days = models.PositiveIntegerField(default=730)
    hotlist_entries_days = models.PositiveIntegerField(
        default=365, help_text="Days a hotlist entry is kept after it expires"
    )
    audit_days = models.PositiveIntegerField(default=1095)
    override_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why a period below the policy's one-year minimum was allowed (empty: none is)",
    )
    override_by = models.CharField(max_length=150, blank=True)
    override_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)
    images_purged_through = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Purge state: images of reads captured before this were already removed",
    )

    class Meta:
        verbose_name_plural = "retention settings"

    def __str__(self) -> str:
        return f"reads {self.reads_days} d, images {self.images_days} d"


class HoldReason(models.TextChoices):
    """The lawful grounds Policy 438.4 names for keeping data beyond its retention period."""

    CRIMINAL_ACTION = "criminal_action", "Evidence in a criminal action"
    CIVIL_ACTION = "civil_action", "Evidence in a civil action"
    DISCOVERY_REQUEST = "discovery_request", "Subject to a discovery request"
    OTHER_LAWFUL_ACTION = "other_lawful_action", "Other lawful action to produce records"


class Hold(models.Model):
    """An evidence hold for one case: its reads are never purged while it stands."""

    case_number = models.CharField(max_length=60)
    reason = models.CharField(max_length=24, choices=HoldReason.choices)
    requested_by = models.CharField(
        max_length=200, help_text="Who asked for the hold (e.g. a prosecutor or a subpoena)"
    )
    note = models.CharField(max_length=500, blank=True)
    selection = models.JSONField(default=dict, blank=True, help_text="How the reads were chosen")
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        indexes = [models.Index(fields=["case_number"], name="hold_case")]

    def __str__(self) -> str:
        return f"hold #{self.pk} case {self.case_number}"


class HoldItem(models.Model):
    """One read kept by a hold.

    `read_id` is a plain indexed UUID rather than a foreign key: the item must outlive the read
    once the hold is released and the read purged, and the purge excludes held ids with one
    indexed anti-join instead of the database checking a constraint for every deleted row.
    """

    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, related_name="items")
    read_id = models.UUIDField(db_index=True)
    captured_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hold", "read_id"], name="hold_item_unique_read")
        ]

    def __str__(self) -> str:
        return f"{self.read_id} held by {self.hold_id}"


class PurgeRun(models.Model):
    """One run of the purge, updated in the same transaction as each batch it deletes.

    A run killed part-way stays unfinished; the next run audits it, so every deletion ends up
    in exactly one audited purge record.
    """

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=150)
    reads_cutoff = models.DateTimeField()
    images_cutoff = models.DateTimeField()
    reads_deleted = models.BigIntegerField(default=0)
    images_detached = models.BigIntegerField(default=0)
    images_deleted = models.BigIntegerField(default=0)
    files_deleted = models.BigIntegerField(default=0)
    orphan_files_deleted = models.BigIntegerField(default=0)
    reads_per_day = models.JSONField(default=dict, blank=True)
    also_deleted = models.JSONField(
        default=dict, blank=True, help_text="Rows deleted with the reads (alerts, corrections)"
    )
    dropped_partitions = models.JSONField(
        default=list,
        blank=True,
        help_text="PostgreSQL day partitions dropped whole: name, day, rows, reads moved out",
    )
    audited = models.BooleanField(default=False)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M} ({self.reads_deleted} reads)"


class ReleasedImage(models.Model):
    """PostgreSQL: an image whose reads went with a dropped day partition, not yet deleted.

    The day's transaction only lists the day's digests here (one set-based insert), so it stays
    short whatever number of images the day had; the image rows no read uses any more, then
    their files, go right after its commit in batches that lock no reads. Listed in the
    database, so a purge killed in between finishes the job on its next run.
    """

    sha256 = models.CharField(max_length=64, primary_key=True)

    def __str__(self) -> str:
        return self.sha256

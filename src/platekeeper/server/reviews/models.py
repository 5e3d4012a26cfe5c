"""The Auditor's worklist: data accesses drawn by the `sample` audit report and their reviews.

Policy 438.5(c) asks for regular audits of the system's use; a sample is only an audit once
someone has looked at each access in it and said whether it was justified. Data only, no logic:
changes go through `reviews.actions`, reads through `reviews.queries`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from platekeeper.server.access.models import AuditEvent


class ReviewDecision(models.TextChoices):
    """What the Auditor concluded about one sampled access."""

    JUSTIFIED = "justified", "Justified"
    NEEDS_FOLLOW_UP = "needs_follow_up", "Needs follow-up"
    REFERRED = "referred", "Referred"


class SampledAccess(models.Model):
    """One data access a `sample` report drew, on the worklist until it is reviewed.

    An access is on the worklist once, however many samples draw it; `drawn_at`/`drawn_by` are
    those of the report run that first drew it (that run's audit event names it as well).
    """

    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField()
    drawn_by = models.CharField(max_length=150)
    period_start = models.DateField(help_text="First day of the report that drew it")
    period_end = models.DateField(help_text="Last day of the report that drew it")

    class Meta:
        ordering = ["-drawn_at", "event_id"]
        indexes = [models.Index(fields=["drawn_at"], name="reviews_sample_drawn")]

    def __str__(self) -> str:
        return f"access #{self.event_id} drawn {self.drawn_at:%Y-%m-%d}"


class Review(models.Model):
    """One review of a sampled access. A later review supersedes it; the earlier ones stay, so
    a changed conclusion keeps its history (and each is in the audit log)."""

    sampled = models.ForeignKey(SampledAccess, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    note = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"access #{self.sampled.event_id}: {self.get_decision_display()}"

"""The thresholds of a broad query and the broad requests held for a second person's decision."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from platekeeper.server.access.models import User


class Thresholds(models.Model):
    """What the department counts as a broad query (one row). A request beyond any of them is
    held until a supervisor approves it; the defaults are issue 15's."""

    canvass_radius_m = models.PositiveIntegerField(default=1000)
    canvass_hours = models.PositiveIntegerField(default=24)
    #: A partial plate with fewer known characters than this, over more than `partial_days`.
    partial_known_chars = models.PositiveSmallIntegerField(default=5)
    partial_days = models.PositiveIntegerField(default=7)
    export_rows = models.PositiveIntegerField(default=500)
    search_back_days = models.PositiveIntegerField(default=7)
    #: Whether a search by vehicle description without any plate always needs approval.
    vehicle_without_plate = models.BooleanField(default=True)
    #: How long an approval may wait to be run before it lapses.
    valid_hours = models.PositiveIntegerField(default=24)

    def __str__(self) -> str:
        return "approval thresholds"

    @classmethod
    def current(cls) -> Thresholds:
        thresholds, _ = cls.objects.get_or_create(pk=1)
        return thresholds


class Status(models.TextChoices):
    AWAITING = "awaiting", "awaiting approval"
    APPROVED = "approved", "approved"
    DENIED = "denied", "denied"
    RUN = "run", "run"


class ApprovalRequest(models.Model):
    """A broad request the gate held: who asked what (the access's whole query and
    justification, as the gate saw them), why it is broad, and the second person's decision.

    Names are kept beside the accounts so the record reads the same after an account changes.
    """

    requester = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requester_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20)
    action = models.CharField(max_length=60)
    permission = models.CharField(max_length=60)
    parameters = models.JSONField(default=dict)
    justification = models.JSONField(default=dict)
    breadth = models.JSONField(default=dict)
    #: Why the request is broad, in words ("radius 1,500 m is over 1,000 m").
    why = models.CharField(max_length=300)
    #: The page the request came from, to send it again once approved ("" outside the web).
    origin = models.CharField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWAITING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"approval #{self.pk} ({self.kind}, {self.status})"

"""Where a hotlist's alerts are sent, and the durable queue of deliveries to send there."""

from __future__ import annotations

from django.db import models

from platekeeper.server.alerts.models import Alert
from platekeeper.server.hotlists.models import Hotlist


class DispatchEvent(models.TextChoices):
    RAISED = "alert.raised", "Alert raised"
    VERIFIED = "alert.verified", "Alert verified"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed (gave up)"


class DispatchTarget(models.Model):
    """The webhook a hotlist's alerts go to. The secret stays in a file on the server (named
    here), so it is in neither the database nor its backups."""

    hotlist = models.OneToOneField(Hotlist, on_delete=models.CASCADE, related_name="dispatch")
    url = models.URLField(max_length=500)
    secret_file = models.CharField(max_length=500)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.hotlist.name} -> {self.url}"


class DispatchDelivery(models.Model):
    """One event of one alert to send to one target: written in the transaction that raised or
    verified the alert, sent by the background job, retried with backoff until delivered."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(DispatchTarget, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20, choices=DispatchEvent.choices)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="dispatch_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} of alert {self.alert_id} ({self.status})"

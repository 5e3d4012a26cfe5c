"""Camera and DeviceCredential models."""

from __future__ import annotations

from django.db import models

from platekeeper.server.agencies.models import Agency


class CameraKind(models.TextChoices):
    FIXED = "fixed", "Fixed"
    MOBILE = "mobile", "Mobile (patrol car)"


class Camera(models.Model):
    """A source of reads. A fixed camera has a location; a mobile one reports it per read."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=CameraKind.choices, default=CameraKind.FIXED)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    heading = models.FloatField(null=True, blank=True, help_text="Degrees clockwise from north")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cameras")
    active = models.BooleanField(default=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_fixed_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class DeviceCredential(models.Model):
    """A bearer token a camera posts reads with. Only its SHA-256 is stored; it is shown once.

    Tokens are 256-bit random strings, so a fast hash is as safe as a slow one and keeps
    every ingestion call to one indexed lookup.
    """

    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="credentials")
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(
        max_length=12, help_text="First characters, to tell tokens apart"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.token_prefix}… ({self.camera})"


class CameraHealth(models.Model):
    """What an edge agent last reported about itself (one row per camera, replaced each time).

    `clock_offset_seconds` is the agent's clock minus the server's when the report arrived
    (positive: the agent runs ahead); read times from a camera whose clock is off are wrong.
    """

    camera = models.OneToOneField(
        Camera, on_delete=models.CASCADE, primary_key=True, related_name="health"
    )
    reported_at = models.DateTimeField()
    agent_version = models.CharField(max_length=40, blank=True)
    agent_time = models.DateTimeField()
    clock_offset_seconds = models.FloatField(default=0)
    queue_depth = models.PositiveIntegerField(default=0)
    oldest_queued_at = models.DateTimeField(null=True, blank=True)
    queue_bytes = models.BigIntegerField(default=0)
    images_evicted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    reads_per_minute = models.FloatField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name_plural = "camera health reports"

    def __str__(self) -> str:
        return f"{self.camera} at {self.reported_at:%Y-%m-%d %H:%M}"

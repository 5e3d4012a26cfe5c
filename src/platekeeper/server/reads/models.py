"""Read and Image models: the ALPR data this whole system exists to protect.

Nothing outside `platekeeper.server.access` may query these tables; see ARCHITECTURE.md.
"""

from __future__ import annotations

from django.db import models

from platekeeper import vendors
from platekeeper.server.cameras.models import Camera


class Image(models.Model):
    """An image stored content-addressed: its SHA-256 is its name and its proof of integrity."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    content_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    path = models.CharField(max_length=200, help_text="Name in the image storage")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.sha256


class ReadSource(models.TextChoices):
    """Where reads come from besides other vendors' formats (named by `platekeeper.vendors`)."""

    API = "api", "platekeeper API"
    DEMO = "demo", "Demo data"


def read_source_choices() -> list[tuple[str, str]]:
    """Every `Read.source`: a callable, so that registering a vendor needs no migration."""
    return [*ReadSource.choices, *vendors.read_source_choices()]


class Read(models.Model):
    """One plate seen by one camera at one moment and place.

    The primary key is the UUID the camera chose, which makes re-sending a batch harmless.
    Indexes serve the three ways reads are looked up on a table of hundreds of millions of
    rows: by plate (newest first), by place cell and time, by camera and time; plus time alone
    for retention.
    """

    id = models.UUIDField(primary_key=True)
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="reads")
    source = models.CharField(max_length=16, choices=read_source_choices, default=ReadSource.API)
    plate = models.CharField(max_length=16, help_text="The plate as the camera read it")
    plate_normalized = models.CharField(max_length=10)
    state = models.CharField(max_length=8, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    candidates = models.JSONField(default=list, blank=True)
    captured_at = models.DateTimeField()
    received_at = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    geocell = models.BigIntegerField(help_text="platekeeper.geo.geocell of the position")
    heading = models.FloatField(null=True, blank=True)
    speed_kmh = models.FloatField(null=True, blank=True)
    plate_box = models.JSONField(null=True, blank=True)
    plate_crop = models.ForeignKey(
        Image, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overview = models.ForeignKey(
        Image, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vehicle_make = models.CharField(max_length=40, blank=True)
    vehicle_color = models.CharField(max_length=20, blank=True)
    vehicle_type = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["plate_normalized", "-captured_at"], name="read_plate_time"),
            models.Index(fields=["geocell", "captured_at"], name="read_cell_time"),
            models.Index(fields=["camera", "captured_at"], name="read_camera_time"),
            models.Index(fields=["captured_at"], name="read_time"),
        ]

    def __str__(self) -> str:
        return f"{self.plate_normalized} at {self.captured_at:%Y-%m-%d %H:%M:%S}"


class ReadKey(models.Model):
    """PostgreSQL only: every stored read's id and image digests, once, whatever day partition
    holds the read.

    Filled and emptied by triggers on the reads table (see `reads.partitions`); the table does
    not exist on SQLite, whose single reads table keeps the id unique itself.
    """

    id = models.UUIDField(primary_key=True)
    captured_at = models.DateTimeField()
    plate_crop_id = models.CharField(max_length=64, null=True)  # noqa: DJ001 - as on reads
    overview_id = models.CharField(max_length=64, null=True)  # noqa: DJ001 - as on reads

    class Meta:
        db_table = "reads_readkey"

    def __str__(self) -> str:
        return str(self.id)

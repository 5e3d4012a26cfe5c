"""ReadCorrection: what a person reads on a plate the camera misread. The Read never changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from platekeeper.server.reads.models import Read


class ReadCorrection(models.Model):
    """The plate an operator read off the image, beside the camera's original (kept on the Read)."""

    read = models.ForeignKey(Read, on_delete=models.CASCADE, related_name="+")
    original_plate = models.CharField(max_length=10, help_text="The read's plate when corrected")
    corrected_plate = models.CharField(max_length=10)
    reason = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["read", "at"], name="correction_read_time")]

    def __str__(self) -> str:
        return (
            f"{self.original_plate} → {self.corrected_plate} by {self.user} at {self.at:%Y-%m-%d}"
        )

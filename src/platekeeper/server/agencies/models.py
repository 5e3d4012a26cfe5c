"""The Agency model: who owns cameras and users, and who may ever receive ALPR data."""

from __future__ import annotations

from django.db import models


class AgencyType(models.TextChoices):
    """Civil Code §1798.90.55 allows sharing only with public agencies; the type decides that."""

    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    PROSECUTORIAL = "prosecutorial", "Prosecutorial"
    OTHER_PUBLIC = "other_public", "Other public agency"
    PRIVATE = "private", "Private entity"


class Agency(models.Model):
    """A department, prosecutor's office or other body, identified by its NCIC ORI if it has one."""

    name = models.CharField(max_length=200, unique=True)
    ori = models.CharField(
        "ORI", max_length=9, blank=True, help_text="NCIC Originating Agency Identifier"
    )
    type = models.CharField(max_length=20, choices=AgencyType.choices)
    jurisdiction = models.CharField(
        max_length=2, default="CA", help_text="Two-letter state, or US for federal agencies"
    )
    is_home = models.BooleanField(
        default=False, help_text="The department that operates this system"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_home"], condition=models.Q(is_home=True), name="one_home_agency"
            ),
        ]

    def __str__(self) -> str:
        return self.name

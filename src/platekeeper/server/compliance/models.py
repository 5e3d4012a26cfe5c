"""Who answers for the ALPR program, and how often it is audited (one row, data only)."""

from __future__ import annotations

from django.db import models

#: Policy 438.2 puts the program under this command unless the department names another title.
DEFAULT_ADMINISTRATOR_TITLE = "Administration Operations Commander"
#: Policy 438.5(c) asks for audits "on a regular basis"; a quarter unless the department decides.
DEFAULT_AUDIT_EVERY_DAYS = 90


class ProgramOfficials(models.Model):
    """The named administrator and designee (438.2.1(e)) and the audit interval (438.5(c)).

    One row (pk=1), changed only through `compliance.actions.name_officials`, which audits each
    change; the compliance report fails while either name is empty.
    """

    administrator_name = models.CharField(max_length=150, blank=True)
    administrator_title = models.CharField(max_length=150, default=DEFAULT_ADMINISTRATOR_TITLE)
    designee_name = models.CharField(
        max_length=150, blank=True, help_text="The current designee overseeing the ALPR operation"
    )
    designee_title = models.CharField(max_length=150, blank=True)
    audit_every_days = models.PositiveSmallIntegerField(
        default=DEFAULT_AUDIT_EVERY_DAYS, help_text="An audit report is due at least this often"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name_plural = "program officials"

    def __str__(self) -> str:
        return (
            f"administrator {self.administrator_name or '-'}, designee {self.designee_name or '-'}"
        )

    @classmethod
    def current(cls) -> ProgramOfficials:
        """The row (created with the defaults, no one named, on first use)."""
        row, _ = cls.objects.get_or_create(pk=1)
        return row

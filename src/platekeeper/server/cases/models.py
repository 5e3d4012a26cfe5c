"""The department's case-number format and its case register (data only).

Policy 438.5(b) asks every access for a case number; these two make one mean something: the
format refuses what cannot be a case number at the gate, and the register, imported from the
records system, lets the Auditor find accesses under a case that does not exist or was closed
(`access.reports`, kind `unknown_case_numbers`).
"""

from __future__ import annotations

from django.db import models

#: The audit log's case-number column is this long too.
CASE_NUMBER_LENGTH = 60
OFFENSE_LENGTH = 200
#: Longest format accepted, so a format stays a format and not a program.
PATTERN_LENGTH = 200


class CaseNumberFormat(models.Model):
    """The regular expression every stated case number must match in full, and an example
    shown when one does not (one row, pk=1; no pattern: any case number is taken).

    Changed only through `cases.actions.set_case_number_format`, which audits each change; the
    compliance report fails while no pattern is set.
    """

    pattern = models.CharField(max_length=PATTERN_LENGTH, blank=True)
    example = models.CharField(max_length=CASE_NUMBER_LENGTH, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return self.pattern or "(no case-number format)"

    @classmethod
    def current(cls) -> CaseNumberFormat:
        """The row (created empty, no format, on first use)."""
        row, _ = cls.objects.get_or_create(pk=1)
        return row


class Case(models.Model):
    """One case of the records system: when it was opened and, if it was, closed."""

    case_number = models.CharField(max_length=CASE_NUMBER_LENGTH, unique=True)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    offense = models.CharField(max_length=OFFENSE_LENGTH, blank=True)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["case_number"]

    def __str__(self) -> str:
        return self.case_number

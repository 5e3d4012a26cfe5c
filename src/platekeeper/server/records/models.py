"""Records requests for ALPR data and what was released for them (data only, no logic).

Policy 438.9: whoever receives a request for ALPR data takes it in and forwards it to the
Support Services Division Commander (the Auditor role), who decides it; the California Public
Records Act gives the department 10 days to answer, 14 more once with a reason.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency
from platekeeper.server.retention.models import Hold


class RequestKind(models.TextChoices):
    """Who is asking, which decides the rules the commander weighs."""

    PUBLIC_RECORDS = "public_records", "Public records request (CPRA)"
    OTHER_AGENCY = "other_agency", "Request from another agency"
    SUBPOENA = "subpoena", "Subpoena or court order"


class Decision(models.TextChoices):
    RELEASE = "release", "Release"
    PARTIAL = "partial", "Release in part"
    DENY = "deny", "Deny"


class LegalBasis(models.TextChoices):
    """The law a decision rests on, each with what it means in plain words."""

    PUBLIC_INTEREST = (
        "gc_7922_000",
        "Gov. Code §7922.000 (formerly §6255): the public interest in withholding clearly "
        "outweighs the interest in disclosure",
    )
    INVESTIGATORY = (
        "gc_7923_600",
        "Gov. Code §7923.600 (formerly §6254(f)): investigatory records of a law-enforcement "
        "agency",
    )
    PUBLIC_AGENCIES_ONLY = (
        "cc_1798_90_55b",
        "Civil Code §1798.90.55(b): ALPR data is shared only with public agencies",
    )
    OFFICIAL_INFORMATION = (
        "ec_1040",
        "Evidence Code §1040: official information acquired in confidence",
    )
    COMPELLED = "compelled", "A subpoena or court order compels release"
    OFFICIAL_PURPOSE = (
        "official_purpose",
        "A law-enforcement or prosecutorial agency, for official purposes (Policy 438.9)",
    )
    OTHER = "other", "Other: explained in the note"


#: Bases that justify withholding (a denial, or the withheld part of a partial release).
WITHHOLDING_BASES = frozenset(
    {
        LegalBasis.PUBLIC_INTEREST,
        LegalBasis.INVESTIGATORY,
        LegalBasis.PUBLIC_AGENCIES_ONLY,
        LegalBasis.OFFICIAL_INFORMATION,
    }
)
#: Bases that justify handing data over.
RELEASE_BASES = frozenset({LegalBasis.COMPELLED, LegalBasis.OFFICIAL_PURPOSE})


class RequestStatus(models.TextChoices):
    """Where a request stands; derived from its decision and releases, never stored."""

    AWAITING_DECISION = "awaiting", "Awaiting decision"
    DECIDED = "decided", "Decided"
    RELEASED = "released", "Released"
    CLOSED = "closed", "Closed"


class RecordsRequest(models.Model):
    """One request for ALPR data, from intake to decision and release."""

    number = models.CharField(max_length=20, unique=True, help_text="e.g. RR-2026-0007")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField(help_text="Counts from 1 each year")
    requester_name = models.CharField(max_length=200)
    requester_contact = models.CharField(max_length=300)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="records_requests"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    data_sought = models.TextField()
    received_on = models.DateField()
    taken_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    taken_in_at = models.DateTimeField()
    routed_to = models.CharField(max_length=20, help_text="The role that decides it")
    due_on = models.DateField()
    extension_reason = models.CharField(max_length=300, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    legal_basis = models.CharField(
        max_length=20,
        choices=LegalBasis.choices,
        blank=True,
        help_text="What the decision rests on: a ground to release, or to withhold",
    )
    withholding_basis = models.CharField(
        max_length=20,
        choices=LegalBasis.choices,
        blank=True,
        help_text="For a release in part: the law the withheld part rests on",
    )
    decision_note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="records_request_serial")
        ]
        indexes = [models.Index(fields=["received_on"], name="records_request_received")]

    def __str__(self) -> str:
        return f"{self.number} from {self.requester_name}"

    @property
    def routed_to_label(self) -> str:
        return Role(self.routed_to).label

    @property
    def extended(self) -> bool:
        return self.extended_at is not None

    @property
    def status(self) -> RequestStatus:
        if not self.decision:
            return RequestStatus.AWAITING_DECISION
        if self.decision == Decision.DENY:
            return RequestStatus.CLOSED
        # all() reads the prefetched releases of a list page instead of asking again.
        return RequestStatus.RELEASED if self.releases.all() else RequestStatus.DECIDED

    def is_open(self) -> bool:
        """Still waiting for the answer the deadline is about: the decision."""
        return not self.decision

    def days_left(self, today: dt.date) -> int:
        return (self.due_on - today).days

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open() and today > self.due_on


class DecisionAmendment(models.Model):
    """A decision as it stood before the commander amended it, with the reason for the change,
    so the request keeps its whole history (each amendment is audited as well)."""

    request = models.ForeignKey(RecordsRequest, on_delete=models.PROTECT, related_name="amendments")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    withholding_basis = models.CharField(max_length=20, choices=LegalBasis.choices, blank=True)
    decision_note = models.TextField(blank=True)
    # As the request held them (nullable there too).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True)
    reason = models.CharField(max_length=500, help_text="Why the decision was amended")
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField()

    class Meta:
        ordering = ["amended_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.number}: {self.get_decision_display()} amended {self.amended_at}"


class RecordsRelease(models.Model):
    """One handover of reads for a request, made through the audited evidence export."""

    request = models.ForeignKey(RecordsRequest, on_delete=models.PROTECT, related_name="releases")
    released_at = models.DateTimeField()
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, related_name="+")
    export_path = models.CharField(max_length=500)
    read_count = models.PositiveIntegerField()
    manifest_sha256 = models.CharField(max_length=64)
    audit_event_id = models.BigIntegerField(help_text="The retention.evidence_export event")

    class Meta:
        ordering = ["released_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.number}: {self.read_count} reads at {self.released_at:%Y-%m-%d}"

"""Users, training records, purposes, personal API tokens and the append-only audit log."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models

from platekeeper.server.access.roles import PERMISSION_LABELS, Role
from platekeeper.server.agencies.models import Agency


class User(AbstractUser):
    """A person who may log in. Their role is their one group; their agency scopes sharing."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, related_name="users")
    failed_logins = models.PositiveSmallIntegerField(default=0)
    first_failed_login_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField(default=False)
    totp_last_step = models.BigIntegerField(
        default=0, help_text="Time step of the last accepted code, so no code is used twice"
    )

    class Meta(AbstractUser.Meta):
        permissions = [(code.value, label) for code, label in PERMISSION_LABELS.items()]

    @property
    def role(self) -> Role | None:
        """The user's role, from their group (None for an account without one)."""
        names = {group.name for group in self.groups.all()}
        return next((role for role in Role if role.value in names), None)


class TrainingRecord(models.Model):
    """Completion of department-approved ALPR training (438.7); valid for a year by default."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_records")
    course = models.CharField(max_length=200)
    completed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", null=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-expires_on"]
        indexes = [models.Index(fields=["user", "-expires_on"], name="training_user_expiry")]

    def __str__(self) -> str:
        return f"{self.user} {self.course} until {self.expires_on}"

    def is_current(self, today: dt.date) -> bool:
        return self.completed_on <= today <= self.expires_on


class Purpose(models.Model):
    """A legitimate law-enforcement purpose a user must state for each access (438.3, 438.5(b))."""

    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    case_number_required = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class PersonalToken(models.Model):
    """A user's API token: shown once, stored as SHA-256, expiring, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    token_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.token_prefix}… ({self.user})"


class SecuritySettings(models.Model):
    """Settings an administrator changes at run time (one row)."""

    require_totp = models.BooleanField(
        default=False, help_text="Every user must set up a second factor before using the system"
    )

    def __str__(self) -> str:
        return f"require_totp={self.require_totp}"

    @classmethod
    def current(cls) -> SecuritySettings:
        settings, _ = cls.objects.get_or_create(pk=1)
        return settings


class Outcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    DENIED = "denied", "Denied"
    #: A lookup of an id that names no record: audited, so probing for ids leaves a trace.
    NOT_FOUND = "not_found", "Not found"


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log (Civil Code §1798.90.52).

    The database refuses UPDATE and DELETE on this table (triggers, see migrations). Each row
    carries `previous_hash` and its own `hash`, an HMAC over its content and the previous hash
    with a key kept outside the database, so editing, deleting or reordering rows is detectable
    by `platekeeper audit verify`. Names are copied, not only linked, so the log still reads
    right after a user is renamed.
    """

    occurred_at = models.DateTimeField()
    username = models.CharField(max_length=150)
    user_id_at_event = models.BigIntegerField(null=True)
    agency = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=40)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.CharField(max_length=300, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    case_number = models.CharField(max_length=60, blank=True)
    query = models.JSONField(default=dict, blank=True)
    record_ids = models.JSONField(default=list, blank=True)
    record_count = models.IntegerField(default=0)
    client_address = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=8, blank=True, help_text="ui, api, cli or system")
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["occurred_at"], name="audit_time"),
            models.Index(fields=["username", "occurred_at"], name="audit_user_time"),
            models.Index(fields=["action", "occurred_at"], name="audit_action_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.occurred_at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class ChainVerification(models.Model):
    """The result of one walk of the audit chain by the background job (`scheduler`), so the
    audit page shows the last result instead of walking the whole chain inside a request."""

    ran_at = models.DateTimeField()
    ok = models.BooleanField()
    events_checked = models.BigIntegerField()
    checkpoints_checked = models.IntegerField()
    broken_event_id = models.BigIntegerField(null=True)
    problem = models.CharField(max_length=300, blank=True)
    uncovered_events = models.IntegerField(default=0)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'intact' if self.ok else 'BROKEN'}"

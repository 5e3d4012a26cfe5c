"""What `serve` checks before it starts: in production (PLATEKEEPER_ENV=production) it refuses
settings that are fine for a demo but unsafe for real ALPR data."""

from __future__ import annotations

from django.conf import settings

from platekeeper.server.access.audit import (
    AuditKeyMissing,
    audit_key_problem,
    missing_audit_key_problem,
)
from platekeeper.server.environment import ConfigurationError


def production_problems() -> list[str]:
    """What makes these settings unfit for production, one sentence each (empty when fit)."""
    problems = []
    key = audit_key_problem()
    if key:
        problems.append(key)
    if settings.DEBUG:
        problems.append("PLATEKEEPER_DEBUG is on: error pages would show code and settings")
    return problems


def check_production_settings() -> None:
    """Raise ConfigurationError naming every problem when PLATEKEEPER_ENV=production."""
    if settings.PLATEKEEPER_ENV != "production":
        return
    problems = production_problems()
    if problems:
        raise ConfigurationError(
            "PLATEKEEPER_ENV=production refuses to start: " + "; ".join(problems)
        )


def check_audit_key() -> None:
    """Raise `AuditKeyMissing` when the audit log holds events but their key file is gone, in
    any environment: serving would make a new key and every later event would break the chain."""
    problem = missing_audit_key_problem()
    if problem:
        raise AuditKeyMissing(problem)

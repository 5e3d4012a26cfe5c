"""Whether the sharing rows still say what the audit log says was approved.

Every change to an agreement or to the sharing switch writes its full terms to the audit log,
which is hash-chained and keyed with a secret outside the database. A row edited behind the
application's back (the "national lookup" switched on again by hand, a revoked agreement
un-revoked, a partner re-typed) then no longer matches its newest audit record: the access gate
refuses partners and the daily self-check raises the alarm. Forging a matching audit record
needs the audit key, which the database does not hold.
"""

from __future__ import annotations

import hmac
from typing import Any

from platekeeper.server.access.audit import audit_key, event_hash, latest_event
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.sharing.models import Agreement, SharingSettings

AGREEMENT_ACTIONS = ("sharing.agreement.add", "sharing.agreement.revoke")
SETTINGS_ACTION = "sharing.settings"


def agreement_terms(agreement: Agreement) -> dict[str, Any]:
    """What the Chief of Police approved, as plain values (the audit record of each change)."""
    return {
        "id": agreement.pk,
        "partner": agreement.partner.name,
        "partner_type": agreement.partner.type,
        "partner_jurisdiction": agreement.partner.jurisdiction,
        "kind": agreement.kind,
        "reference": agreement.reference,
        "scopes": sorted(agreement.scopes),
        "purposes": sorted(purpose.code for purpose in agreement.purposes.all()),
        "partner_retention_days": agreement.partner_retention_days,
        "starts_on": agreement.starts_on.isoformat(),
        "ends_on": agreement.ends_on.isoformat(),
        "approved_by": agreement.approved_by,
        "approved_on": agreement.approved_on.isoformat(),
        "revoked": agreement.revoked_at is not None,
    }


def _newest_genuine(actions: tuple[str, ...], **lookups: Any) -> AuditEvent | None:
    """The newest allowed event of these actions, if its HMAC is genuine (a row typed into the
    table is not)."""
    event = latest_event(actions, **lookups)
    if event is None or not hmac.compare_digest(event.hash, event_hash(event, audit_key())):
        return None
    return event


def agreement_problem(agreement: Agreement) -> str | None:
    """Why this agreement's row cannot be trusted, or None when it matches its audit record."""
    event = _newest_genuine(AGREEMENT_ACTIONS, query__id=agreement.pk)
    if event is None:
        return f"agreement {agreement.reference!r} has no genuine audit record of its approval"
    if event.query != agreement_terms(agreement):
        changed = sorted(
            key
            for key, value in agreement_terms(agreement).items()
            if event.query.get(key) != value
        )
        return (
            f"agreement {agreement.reference!r} differs from what was approved "
            f"({', '.join(changed)} changed outside platekeeper)"
        )
    return None


def audited_sharing_enabled() -> bool:
    """The switch as last changed through platekeeper (off when it never was)."""
    event = _newest_genuine((SETTINGS_ACTION,))
    return bool(event and event.query.get("sharing_enabled", {}).get("after"))


def settings_problem(settings: SharingSettings) -> str | None:
    """Why the switch cannot be trusted, or None when it matches its audit record."""
    if settings.sharing_enabled != audited_sharing_enabled():
        state = "on" if settings.sharing_enabled else "off"
        return f"sharing is {state} but was not switched {state} through platekeeper"
    return None

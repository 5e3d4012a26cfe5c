"""Writing the sharing log: every disclosure to a partner, beside its audit event."""

from __future__ import annotations

from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.sharing.models import Agreement, Disclosure


def record_disclosure(
    agreement: Agreement, event: AuditEvent, *, what: str, recipient: str = ""
) -> Disclosure:
    """Log that the data of `event` went to `agreement`'s partner (in the caller's transaction).

    `recipient` names the person who received it when that is not the event's user (e.g. a
    records release handed over by the custodian).
    """
    return Disclosure.objects.create(
        occurred_at=timezone.now(),
        agreement=agreement,
        agency=agreement.partner.name,
        username=recipient or event.username,
        action=event.action,
        what=what[:300],
        purpose=event.purpose,
        case_number=event.case_number,
        record_count=event.record_count,
        audit_event_id=event.pk,
    )

"""Changes to the Auditor's worklist: drawn samples kept, and each access's review. Audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, authorize, record_change
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Permission
from platekeeper.server.reviews.models import Review, ReviewDecision, SampledAccess

REVIEW_ACTION = "audit.sample.review"


class ReviewError(PlatekeeperError, ValueError):
    """A review was refused for its content; the message names the field."""


def keep_drawn_sample(report_event: AuditEvent, *, start: dt.date, end: dt.date) -> None:
    """Put the accesses a `sample` report just drew on the worklist.

    Runs as the report's `after_audit`, inside the gated transaction that audited the run (whose
    `record_ids` name the drawn accesses), so the worklist holds exactly what the log says was
    drawn. An access drawn before keeps its first drawing.
    """
    # A concurrent draw of the same access loses quietly: the first drawing stands.
    SampledAccess.objects.bulk_create(
        [
            SampledAccess(
                event_id=int(event_id),
                drawn_at=report_event.occurred_at,
                drawn_by=report_event.username,
                period_start=start,
                period_end=end,
            )
            for event_id in report_event.record_ids
        ],
        ignore_conflicts=True,
    )


def review_sample(event_id: int, *, decision: str, note: str = "", requester: Requester) -> Review:
    """Record the Auditor's conclusion on one sampled access: justified, needs follow-up, or
    referred (the last two with a note saying why). A later review supersedes an earlier one.

    The auditor's permission (view audit) is asked first. The note describes what the access
    was for, perhaps a forbidden purpose, so it travels as `review_note`: the prohibited-purpose
    screen is for those who seek data, not for the Auditor who names a misuse.
    """
    note = note.strip()
    query = {"event": event_id, "decision": decision}
    authorize(
        requester,
        permission=Permission.VIEW_AUDIT,
        justification=ADMINISTRATIVE,
        action=REVIEW_ACTION,
        query=query,
    )
    if decision not in ReviewDecision.values:
        raise ReviewError(f"decision: must be one of {', '.join(ReviewDecision.values)}")
    if decision != ReviewDecision.JUSTIFIED and not note:
        raise ReviewError("note: say why, unless the access was justified")
    with transaction.atomic():
        sampled = (
            SampledAccess.objects.select_for_update()
            .select_related("event")
            .filter(event_id=event_id)
            .first()
        )
        if sampled is None:
            raise ReviewError(f"event: #{event_id} was not drawn by a sample report")
        if sampled.event.username == requester.username:
            raise ReviewError(f"event: #{event_id} is your own access; another auditor reviews it")
        review = Review.objects.create(
            sampled=sampled,
            decision=decision,
            note=note,
            reviewer=requester.acting_user,
            reviewed_at=timezone.now(),
        )
        record_change(
            requester,
            ADMINISTRATIVE,
            action=REVIEW_ACTION,
            query={**query, "review_note": note, "accessed_by": sampled.event.username},
            record_ids=[str(event_id)],
        )
    return review

"""Reading the Auditor's worklist: the sampled accesses with their latest review (gated), and
the counts the compliance report shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch

from platekeeper.server.access.gate import ADMINISTRATIVE, Gated, Requester, run_gated
from platekeeper.server.access.roles import Permission
from platekeeper.server.reviews.models import Review, SampledAccess

#: The worklist shows at most this many accesses, newest drawn first.
WORKLIST_LIMIT = 500


@dataclass(frozen=True)
class WorklistItem:
    """One sampled access as the Auditor reviews it; `review` is the latest (None: unreviewed),
    `earlier` how many reviews it superseded."""

    event_id: int
    occurred_at: dt.datetime
    username: str
    agency: str
    action: str
    purpose: str
    case_number: str
    query: dict[str, Any]
    record_count: int | None
    channel: str
    period_start: dt.date
    period_end: dt.date
    review: Review | None
    earlier: int


@dataclass(frozen=True)
class ReviewProgress:
    """How many accesses were drawn in a span of time, and how many of them were reviewed."""

    drawn: int
    reviewed: int

    @property
    def unreviewed(self) -> int:
        return self.drawn - self.reviewed


def worklist(requester: Requester, *, unreviewed_only: bool = False) -> list[WorklistItem]:
    """The sampled accesses, newest drawn first (all, or those without a review), audited as
    `audit.samples.view` naming the accesses shown. Only the Auditor's permission reads it."""

    def fetch() -> Gated[list[WorklistItem]]:
        sampled = SampledAccess.objects.select_related("event").prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer"))
        )
        if unreviewed_only:
            sampled = sampled.filter(~Exists(Review.objects.filter(sampled=OuterRef("pk"))))
        items = [_item(row) for row in sampled[:WORKLIST_LIMIT]]
        return Gated(items, record_ids=[str(item.event_id) for item in items])

    return run_gated(
        requester,
        permission=Permission.VIEW_AUDIT,
        justification=ADMINISTRATIVE,
        action="audit.samples.view",
        query={"unreviewed_only": unreviewed_only},
        fetch=fetch,
    )


def _item(row: SampledAccess) -> WorklistItem:
    event = row.event
    reviews = list(row.reviews.all())
    return WorklistItem(
        event_id=event.pk,
        occurred_at=event.occurred_at,
        username=event.username,
        agency=event.agency,
        action=event.action,
        purpose=event.purpose,
        case_number=event.case_number,
        query=event.query,
        record_count=event.record_count,
        channel=event.channel,
        period_start=row.period_start,
        period_end=row.period_end,
        review=reviews[-1] if reviews else None,
        earlier=max(0, len(reviews) - 1),
    )


def latest_reviews(event_ids: Iterable[int]) -> dict[int, Review]:
    """The latest review of each of these sampled accesses that has one, by event id; for the
    `sample` report, which shows them beside the accesses it draws (inside its own gated run)."""
    latest: dict[int, Review] = {}
    reviews = Review.objects.filter(sampled__event_id__in=list(event_ids)).select_related(
        "sampled", "reviewer"
    )
    for review in reviews.order_by("reviewed_at", "id"):
        latest[review.sampled.event_id] = review
    return latest


def review_progress(since: dt.datetime, until: dt.datetime | None = None) -> ReviewProgress:
    """Accesses drawn in [since, until) and how many have a review (for the compliance report;
    counts only, no access or person)."""
    drawn = SampledAccess.objects.filter(drawn_at__gte=since)
    if until is not None:
        drawn = drawn.filter(drawn_at__lt=until)
    reviewed = drawn.filter(Exists(Review.objects.filter(sampled=OuterRef("pk"))))
    return ReviewProgress(drawn=drawn.count(), reviewed=reviewed.count())


def unreviewed_before(moment: dt.datetime) -> int:
    """How many accesses drawn before `moment` still wait for their first review."""
    return (
        SampledAccess.objects.filter(drawn_at__lt=moment)
        .filter(~Exists(Review.objects.filter(sampled=OuterRef("pk"))))
        .count()
    )

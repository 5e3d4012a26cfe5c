"""The Auditor's review worklist (438.5(c)): a sample's accesses are kept, reviewed, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.audit import Actor, record_event, verify_chain
from platekeeper.server.access.gate import AccessDenied, Requester
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.reports import build_report
from platekeeper.server.access.roles import Role
from platekeeper.server.compliance.checks import samples_reviewed
from platekeeper.server.reviews.actions import ReviewError, review_sample
from platekeeper.server.reviews.models import Review, SampledAccess
from platekeeper.server.reviews.queries import worklist
from tests.support.people import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def access(user: str = "ivan", *, case: str = "24-001") -> int:
    """One allowed data access in the log, now; its event id."""
    event = record_event(
        actor=Actor(user, agency="Piedmont PD"),
        action="reads.search",
        outcome=Outcome.ALLOWED,
        purpose="stolen_vehicle",
        case_number=case,
        query={"plate": "7ABC123"},
        record_ids=["read-1"],
    )
    return event.pk


@pytest.fixture
def auditor() -> Requester:
    return Requester.person(make_user("ada", Role.AUDITOR), channel="ui")


def draw(requester: Requester, size: int = 20) -> list[int]:
    today = timezone.localdate()
    report = build_report("sample", requester=requester, start=today, end=today, sample_size=size)
    return [row[0] for row in report.rows]


def test_a_sample_puts_the_accesses_it_drew_on_the_worklist_named_by_its_audit_event(auditor):
    ids = sorted(access(case=f"24-{n:03d}") for n in range(5))

    drawn = draw(auditor, size=3)
    again = draw(auditor, size=5)

    assert len(drawn) == 3
    assert sorted(again) == ids
    assert sorted(SampledAccess.objects.values_list("event_id", flat=True)) == ids
    first_run = AuditEvent.objects.filter(action="audit.report").order_by("id").first()
    assert sorted(int(i) for i in first_run.record_ids) == sorted(drawn)
    assert {item.event_id for item in worklist(auditor)} == set(ids)
    assert verify_chain().ok


def test_the_auditor_reviews_each_sampled_access_and_the_report_shows_it(auditor):
    """GIVEN three sampled accesses WHEN the auditor marks one justified, one needing follow-up
    and one referred THEN each is stored with its reviewer, audited with its note, the worklist
    filter "unreviewed" drops them and the sample report shows their state."""
    first, second, third, fourth = (access(case=f"24-{n:03d}") for n in range(4))
    draw(auditor)

    review_sample(first, decision="justified", requester=auditor)
    review_sample(
        second, decision="needs_follow_up", note="case 24-001 is closed", requester=auditor
    )
    review_sample(third, decision="referred", note="to Internal Affairs", requester=auditor)

    assert [item.event_id for item in worklist(auditor, unreviewed_only=True)] == [fourth]
    items = {item.event_id: item for item in worklist(auditor)}
    assert items[second].review.get_decision_display() == "Needs follow-up"
    assert items[second].review.reviewer.username == "ada"
    assert items[fourth].review is None
    audited = AuditEvent.objects.filter(action="audit.sample.review").order_by("id")
    assert [e.query["decision"] for e in audited] == ["justified", "needs_follow_up", "referred"]
    assert audited[1].query["review_note"] == "case 24-001 is closed"
    assert audited[1].record_ids == [str(second)]
    assert audited[1].username == "ada"
    today = timezone.localdate()
    report = build_report("sample", requester=auditor, start=today, end=today, seed=1)
    state = {
        row[0]: (row[report.columns.index("review")], row[report.columns.index("review note")])
        for row in report.rows
    }
    assert state[second] == ("Needs follow-up", "case 24-001 is closed")
    assert state[fourth] == ("unreviewed", "")


def test_a_later_review_supersedes_an_earlier_one_which_is_kept(auditor):
    event_id = access()
    draw(auditor)

    review_sample(event_id, decision="justified", requester=auditor)
    review_sample(event_id, decision="referred", note="on second look", requester=auditor)

    (item,) = worklist(auditor)
    assert (item.review.decision, item.earlier) == ("referred", 1)
    assert Review.objects.count() == 2


def test_a_note_may_name_the_misuse_it_reviews(auditor):
    """The prohibited-purpose screen is for those who seek data; the Auditor names a misuse."""
    event_id = access()
    draw(auditor)

    review_sample(event_id, decision="referred", note="looks like an ICE hold", requester=auditor)

    assert Review.objects.get().note == "looks like an ICE hold"


@pytest.mark.parametrize(
    ("decision", "note", "named"),
    [
        ("needs_follow_up", "", "note:"),
        ("referred", "   ", "note:"),
        ("fine", "", "decision:"),
    ],
)
def test_a_review_without_what_it_needs_is_refused_by_name(auditor, decision, note, named):
    event_id = access()
    draw(auditor)

    with pytest.raises(ReviewError, match=named):
        review_sample(event_id, decision=decision, note=note, requester=auditor)
    assert not Review.objects.exists()


def test_only_a_sampled_access_and_never_ones_own_is_reviewed(auditor):
    not_drawn = access()
    with pytest.raises(ReviewError, match="not drawn by a sample"):
        review_sample(not_drawn, decision="justified", requester=auditor)

    own = access("ada")
    draw(auditor)
    with pytest.raises(ReviewError, match="your own access"):
        review_sample(own, decision="justified", requester=auditor)
    assert not Review.objects.exists()


def test_someone_without_the_auditors_permission_is_refused_and_it_is_audited(auditor):
    event_id = access()
    draw(auditor)
    investigator = Requester.person(make_user("ines", Role.INVESTIGATOR), channel="ui")

    with pytest.raises(AccessDenied):
        review_sample(event_id, decision="justified", requester=investigator)

    refused = AuditEvent.objects.get(action="audit.sample.review")
    assert (refused.outcome, refused.username) == (Outcome.DENIED, "ines")
    assert not Review.objects.exists()


def test_the_compliance_report_counts_reviews_and_fails_on_an_overdue_sample(auditor):
    today = timezone.localdate()
    assert samples_reviewed(today).passed

    old = access()
    draw(auditor)
    # As if that sample had been drawn two audit intervals' worth of days ago.
    SampledAccess.objects.update(drawn_at=timezone.now() - dt.timedelta(days=120))
    recent = access()
    draw(auditor)

    overdue = samples_reviewed(today)
    assert not overdue.passed
    assert "0 of 1 access sampled in the last 90 days reviewed" in overdue.evidence
    assert "1 access sampled before" in overdue.evidence

    review_sample(old, decision="justified", requester=auditor)
    review_sample(recent, decision="justified", requester=auditor)
    done = samples_reviewed(today)
    assert done.passed
    assert done.evidence.startswith("1 of 1 access sampled in the last 90 days reviewed")

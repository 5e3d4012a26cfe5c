"""The Auditor's review worklist page (/audit/samples): draw, review, filter, refuse by name."""

from __future__ import annotations

import pytest
from django.utils import timezone

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.reviews.models import Review
from tests.server.reviews.test_reviews import access
from tests.web.conftest import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def auditor():
    return signed_in("ada", Role.AUDITOR)


def _draw(client) -> None:
    today = f"{timezone.localdate():%Y-%m-%d}"
    page = client.get(
        "/audit/report", {"kind": "sample", "start": today, "end": today, "sample_size": 20}
    )
    assert page.status_code == 200
    assert "Review them on the worklist" in page.content.decode()


def test_the_worklist_offers_the_three_decisions_and_records_one(auditor):
    first, second = access(case="24-0801"), access(case="24-0802")
    _draw(auditor)

    page = auditor.get("/audit/samples").content.decode()
    assert f'id="access-{first}"' in page
    assert page.count('value="needs_follow_up"') == 2
    answer = auditor.post(
        f"/audit/samples/{first}/review",
        {"decision": "referred", "note": "to Internal Affairs", "unreviewed": "1"},
    )

    assert answer.status_code == 302
    assert answer["Location"] == f"/audit/samples?unreviewed=1#access-{first}"
    assert Review.objects.get().note == "to Internal Affairs"
    unreviewed = auditor.get("/audit/samples", {"unreviewed": "1"}).content.decode()
    assert f'id="access-{first}"' not in unreviewed
    assert f'id="access-{second}"' in unreviewed
    everything = auditor.get("/audit/samples").content.decode()
    assert "Referred" in everything
    assert "to Internal Affairs" in everything
    assert AuditEvent.objects.filter(action="audit.samples.view").count() == 3


def test_a_review_without_a_note_is_refused_naming_the_field(auditor):
    event_id = access()
    _draw(auditor)

    answer = auditor.post(f"/audit/samples/{event_id}/review", {"decision": "needs_follow_up"})

    assert answer.status_code == 400
    assert "note: say why" in answer.content.decode()
    assert not Review.objects.exists()


def test_an_investigator_may_not_open_the_worklist_or_review():
    investigator = signed_in("ines", Role.INVESTIGATOR)

    assert investigator.get("/audit/samples").status_code == 403
    refused = investigator.post("/audit/samples/1/review", {"decision": "justified"})
    assert refused.status_code == 403
    assert AuditEvent.objects.filter(action="audit.sample.review", outcome="denied").exists()

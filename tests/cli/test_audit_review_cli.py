"""`platekeeper audit review` and the sample listing's review column (438.5(c))."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.utils import timezone

from platekeeper.cli.main import cli
from platekeeper.server.access.roles import Role
from platekeeper.server.reviews.models import Review
from tests.server.reviews.test_reviews import access
from tests.support.people import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(cli, list(args), input=f"{PASSWORD}\n")


def _sample() -> str:
    today = f"{timezone.localdate():%Y-%m-%d}"
    result = run("audit", "report", "--kind", "sample", "--from", today, "--to", today)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_auditor_reviews_a_sampled_access_and_the_listing_shows_it():
    make_user("ada", Role.AUDITOR)
    event_id = access()
    assert "| unreviewed |" in _sample()

    result = run(
        "audit", "review", str(event_id), "--decision", "needs-follow-up",
        "--note", "case number unknown", "--user", "ada", "--password-stdin",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert f"Access #{event_id} reviewed: Needs follow-up." in result.output
    assert Review.objects.get().reviewer.username == "ada"
    assert "| Needs follow-up | ada |" in _sample()


def test_a_review_missing_its_note_exits_non_zero_with_one_line():
    make_user("ada", Role.AUDITOR)
    event_id = access()
    _sample()

    result = run(
        "audit", "review", str(event_id), "--decision", "referred",
        "--user", "ada", "--password-stdin",
    )  # fmt: skip

    assert result.exit_code != 0
    assert "note: say why" in result.output
    assert "Traceback" not in result.output

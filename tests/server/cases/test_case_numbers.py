"""Case numbers that mean something: the department's format, checked by the gate at every
access that states one (Policy 438.5(b)), and the compliance line that asks for it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.access.gate import AccessDenied, Justification, purpose_problem
from platekeeper.server.access.models import AuditEvent, Outcome, User
from platekeeper.server.access.roles import Role
from platekeeper.server.cases.actions import CaseError, set_case_number_format
from platekeeper.server.cases.models import CaseNumberFormat
from platekeeper.server.compliance.checks import case_number_format
from platekeeper.server.reads.actions import record_reads
from platekeeper.server.reads.queries import search_plate
from tests.server.records.conftest import take_in
from tests.support.factories import CameraFactory, read_item
from tests.support.people import SETUP_REQUESTER, as_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

FORMAT = r"\d{2}-\d{6}"


@pytest.fixture
def stored():
    record_reads(CameraFactory(), [read_item(plate="7ABC123")])


def _search(case_number: str, purpose: str = "stolen_vehicle"):
    user = User.objects.filter(username="ines").first() or make_user()
    requester = as_person(user, channel="api")
    justification = Justification(purpose=purpose, case_number=case_number)
    return search_plate(requester, justification, plate="7ABC123")


def test_any_case_number_passes_before_a_format_is_set(stored):
    assert len(_search("x").results) == 1


def test_a_malformed_case_number_is_refused_once_a_format_is_set(stored):
    """GIVEN the format NN-NNNNNN WHEN a search states `x` THEN 400, naming case_number and
    showing the example, audited as a refusal; a well-formed one is allowed."""
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)

    with pytest.raises(AccessDenied) as refused:
        _search("x")

    assert refused.value.status == 400
    assert str(refused.value) == (
        "case_number: 'x' is not a case number of this department (written like 26-004417)"
    )
    event = AuditEvent.objects.get(action="reads.search")
    assert (event.outcome, event.case_number) == (Outcome.DENIED, "x")
    assert len(_search(" 26-000311 ").results) == 1


def test_an_exempt_purpose_without_a_case_number_is_not_asked_for_one(stored):
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)

    assert len(_search("", purpose="amber_alert").results) == 1


def test_the_api_answers_400_naming_case_number_and_the_example(stored):
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)
    make_user()
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]

    response = Client().get(
        "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=x",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert "case_number" in response.json()["detail"]
    assert "26-004417" in response.json()["detail"]


@pytest.mark.parametrize(
    ("pattern", "example", "problem"),
    [
        (r"\d{2}-\d{6}", "2026-4417", "example: '2026-4417' does not match the regex"),
        (r"\d{2}-(\d{6}", "26-004417", "regex: '\\\\d{2}-(\\\\d{6}' is not a regular expression"),
        ("", "26-004417", "regex: must not be empty"),
        (r"\d+", "", "example: must not be empty"),
    ],
)
def test_a_format_its_example_does_not_match_is_refused(pattern, example, problem):
    with pytest.raises(CaseError) as refused:
        set_case_number_format(pattern, example=example, requester=SETUP_REQUESTER)

    assert str(refused.value).startswith(problem)
    assert CaseNumberFormat.current().pattern == ""


def test_setting_the_format_is_audited():
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)

    event = AuditEvent.objects.get(action="settings.case_number_format")
    assert event.query == {"pattern": FORMAT, "example": "26-004417"}
    assert event.username == "system:test-setup"


def test_compliance_fails_without_a_format_and_passes_with_one():
    today = timezone.localdate()

    unset = case_number_format(today)
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)
    set_ = case_number_format(today)

    assert (unset.passed, set_.passed) == (False, True)
    assert "no case-number format is set" in unset.evidence
    assert FORMAT in set_.evidence
    assert "26-004417" in set_.evidence


def test_a_records_requests_own_number_passes_the_format():
    """A release is held and exported under the request's number (RR-YYYY-NNNN), which the
    department's case-number format need not describe."""
    set_case_number_format(FORMAT, example="26-004417", requester=SETUP_REQUESTER)
    desk = as_person(make_user("carla", Role.CUSTODIAN), channel="cli")
    request = take_in(desk)

    assert purpose_problem(Justification("records_release", request.number)) is None
    assert purpose_problem(Justification("records_release", "RR-1999-0001")).startswith(
        "case_number: 'RR-1999-0001' is not a case number"
    )

"""Naming the officials and running the report: gated for people, audited for everyone."""

from __future__ import annotations

import dataclasses

import pytest

from platekeeper.server.access.gate import AccessDenied, Requester
from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.compliance.actions import (
    ComplianceError,
    Officials,
    compliance_report,
    name_officials,
)
from platekeeper.server.compliance.models import DEFAULT_ADMINISTRATOR_TITLE
from tests.server.compliance.conftest import OFFICIALS
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _as(username: str, role: Role, training: str = "current") -> Requester:
    return Requester(make_user(username, role, training=training), channel="ui")


def test_a_new_installation_names_no_one_and_audits_every_90_days():
    assert Officials.current() == Officials("", DEFAULT_ADMINISTRATOR_TITLE, "", "", 90)


def test_an_administrator_names_the_officials_audited_with_before_and_after():
    named = name_officials(
        dataclasses.replace(OFFICIALS, designee_name="  John Doe  "),
        requester=_as("alice", Role.ADMINISTRATOR),
    )

    event = AuditEvent.objects.get(action="compliance.officials")
    assert named == OFFICIALS == Officials.current()
    assert (event.username, event.outcome, event.channel) == ("alice", Outcome.ALLOWED, "ui")
    assert event.query["before"]["designee_name"] == ""
    assert event.query["after"] == dataclasses.asdict(OFFICIALS)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.OPERATOR, Role.CUSTODIAN])
def test_roles_that_may_not_manage_settings_are_refused_and_the_attempt_audited(role):
    with pytest.raises(AccessDenied, match="your role may not manage system settings"):
        name_officials(OFFICIALS, requester=_as("someone", role))

    event = AuditEvent.objects.get(action="compliance.officials")
    assert (event.username, event.outcome) == ("someone", Outcome.DENIED)
    assert Officials.current().administrator_name == ""


def test_an_administrator_whose_training_lapsed_is_refused():
    with pytest.raises(AccessDenied, match="training lapsed"):
        name_officials(OFFICIALS, requester=_as("alice", Role.ADMINISTRATOR, training="lapsed"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"administrator_name": " "}, "administrator name: must not be empty"),
        ({"designee_title": ""}, "designee title: must not be empty"),
        ({"designee_name": "x" * 151}, "designee name: at most 150 characters"),
        ({"audit_every_days": 0}, "audit every days: must be 1-365, not 0"),
    ],
)
def test_every_official_is_required_and_bounded(change, message):
    with pytest.raises(ComplianceError, match=message):
        name_officials(dataclasses.replace(OFFICIALS, **change), requester=SETUP_REQUESTER)

    assert not AuditEvent.objects.filter(action="compliance.officials").exists()


def test_running_the_report_is_audited_with_the_obligations_that_failed():
    results = compliance_report(requester=_as("audrey", Role.AUDITOR))

    event = AuditEvent.objects.get(action="compliance.report")
    assert (event.username, event.outcome, event.channel) == ("audrey", Outcome.ALLOWED, "ui")
    assert event.query["failed"] == [result.key for result in results if not result.passed]
    assert "officials_named" in event.query["failed"]


def test_a_role_without_the_compliance_permission_is_refused_and_audited():
    with pytest.raises(AccessDenied):
        compliance_report(requester=_as("otto", Role.OPERATOR))

    event = AuditEvent.objects.get(action="compliance.report")
    assert (event.username, event.outcome) == ("otto", Outcome.DENIED)

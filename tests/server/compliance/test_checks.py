"""Each obligation of the compliance report fails and passes on what the system records."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

import pytest
from django.utils import timezone

from platekeeper.server.access.actions import disable_user
from platekeeper.server.access.audit import checkpoint_path
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.compliance.actions import name_officials
from platekeeper.server.compliance.checks import (
    CHECKS,
    CheckResult,
    audit_chain_intact,
    audits_on_schedule,
    officials_named,
    policy_posted,
    purge_recent,
    records_requests_on_time,
    retention_minimum,
    run_checks,
    sharing_lawful,
    training_current,
)
from platekeeper.server.retention.actions import set_retention
from platekeeper.server.retention.queries import RetentionKind
from platekeeper.server.transparency.actions import publish_policy
from tests.server.compliance.conftest import OFFICIALS
from tests.server.records.conftest import take_in
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


def _today() -> dt.date:
    return timezone.localdate()


def _later(days: int) -> dt.date:
    return _today() + dt.timedelta(days=days)


def test_an_installation_meeting_every_obligation_passes_each_in_order(compliant):
    results = run_checks()

    assert [result.key for result in results] == [check(_today()).key for check in CHECKS]
    assert [result.key for result in results if not result.passed] == []
    assert all(isinstance(result, CheckResult) and result.evidence for result in results)


def test_a_fresh_installation_fails_what_no_one_has_done_yet():
    failed = {result.key for result in run_checks() if not result.passed}

    assert failed == {
        "policy_posted",
        "officials_named",
        "purge_recent",
        "audits_on_schedule",
        "case_number_format",
    }


# --- 438.2.1(g): the policy is posted -------------------------------------------------------


def test_no_policy_file_fails_and_names_the_command_that_posts_it():
    result = policy_posted(_today())

    assert not result.passed
    assert "policy.txt is missing or empty" in result.evidence
    assert "platekeeper policy publish" in result.evidence


def test_an_empty_policy_file_fails(policy_file):
    policy_file.write_text("\n  \n")

    assert not policy_posted(_today()).passed


def test_a_published_policy_passes_with_its_size_digest_and_publication(policy_file):
    text = "438.1 PURPOSE AND SCOPE\n"
    publish_policy(text, requester=SETUP_REQUESTER)

    result = policy_posted(_today())

    assert result.passed
    digest = hashlib.sha256(text.encode()).hexdigest()
    assert result.evidence.startswith(f"24 bytes posted, sha256 {digest[:12]}; ")
    assert f"last published {_today():%Y-%m-%d} by system:test-setup" in result.evidence
    assert "changed since" not in result.evidence


def test_a_policy_file_edited_by_hand_still_passes_but_says_so(policy_file):
    publish_policy("438.1 PURPOSE AND SCOPE\n", requester=SETUP_REQUESTER)
    policy_file.write_text("438.1 PURPOSE AND SCOPE (edited)\n")

    result = policy_posted(_today())

    assert result.passed
    assert "the file was changed since" in result.evidence


# --- 438.2.1(e): administrator and designee ---------------------------------------------------


def test_officials_fail_until_both_are_named():
    before = officials_named(_today())
    name_officials(OFFICIALS, requester=SETUP_REQUESTER)
    after = officials_named(_today())

    assert not before.passed
    assert "no administrator and no designee named" in before.evidence
    assert after.passed
    assert after.evidence == (
        "administrator Jane Roe (Administration Operations Commander), "
        "designee John Doe (Sergeant, ALPR program); "
        f"named {_today():%Y-%m-%d} by system:test-setup"
    )


# --- 438.4: retention and purge ---------------------------------------------------------------


def test_default_retention_passes_listing_the_periods():
    result = retention_minimum(_today())

    assert result.passed
    assert result.evidence.startswith(
        "reads 365 d, images 365 d, alerted-reads 730 d, alerts 730 d"
    )


def test_retention_below_a_year_fails_even_with_an_override_whose_reason_is_shown():
    set_retention(
        {RetentionKind.READS: 180},
        requester=SETUP_REQUESTER,
        override_reason="Council resolution 2026-41",
    )

    result = retention_minimum(_today())

    assert not result.passed
    assert "reads 180 d < 365 d" in result.evidence
    assert f"override by {SETUP_REQUESTER.username}" in result.evidence
    assert "Council resolution 2026-41" in result.evidence


def test_a_purge_that_never_ran_fails():
    result = purge_recent(_today())

    assert not result.passed
    assert "never ran" in result.evidence


def test_a_purge_passes_for_two_days_then_fails_saying_how_long_ago(compliant):
    assert purge_recent(_today()).passed
    assert purge_recent(_later(2)).passed

    result = purge_recent(_later(5))

    assert not result.passed
    assert "the purge last ran 5 days ago" in result.evidence


# --- 438.7: training --------------------------------------------------------------------------


def test_every_active_user_trained_passes():
    make_user("alice", Role.ADMINISTRATOR)
    make_user("otto", Role.OPERATOR)

    result = training_current(_today())

    assert result.passed
    assert result.evidence == "all 2 active users have current training"


def test_untrained_active_users_are_named_with_why_and_disabled_ones_are_not():
    make_user("alice", Role.ADMINISTRATOR)
    make_user("bob", Role.OPERATOR, training="lapsed")
    make_user("carol", Role.INVESTIGATOR, training="none")
    make_user("dave", Role.OPERATOR, training="none")
    disable_user("dave", requester=SETUP_REQUESTER)
    lapsed_on = _today() - dt.timedelta(days=10)

    result = training_current(_today())

    assert not result.passed
    assert result.evidence == (
        "2 active users lack current training: "
        f"bob (lapsed {lapsed_on:%Y-%m-%d}), carol (none on record)"
    )


def test_training_that_runs_out_later_fails_on_that_day():
    make_user("alice", Role.ADMINISTRATOR)  # trained 30 days ago, valid 365 days

    assert training_current(_later(335)).passed
    assert not training_current(_later(336)).passed


# --- 438.5(c): audits ---------------------------------------------------------------------------


def test_audits_fail_when_none_was_ever_run():
    result = audits_on_schedule(_today())

    assert not result.passed
    assert result.evidence == "no audit report was ever run; one is due every 90 days"


def test_audits_are_due_at_the_interval_set_with_the_officials(compliant):
    assert audits_on_schedule(_later(90)).passed
    overdue = audits_on_schedule(_later(91))
    name_officials(dataclasses.replace(OFFICIALS, audit_every_days=120), requester=SETUP_REQUESTER)

    assert not overdue.passed
    assert "last audit report 91 days ago" in overdue.evidence
    assert "by system:test-setup" in overdue.evidence
    assert audits_on_schedule(_later(91)).passed


# --- Civil Code §1798.90.52: the access record ----------------------------------------------


def test_an_intact_audit_chain_passes_with_the_count(compliant):
    result = audit_chain_intact(_today())

    assert result.passed
    assert result.evidence == f"{AuditEvent.objects.count()} events and 0 checkpoints verified"


def test_a_chain_shorter_than_its_checkpoint_fails_naming_the_event(compliant):
    """The newest events deleted: the checkpoint written outside the database remembers them."""
    last = AuditEvent.objects.order_by("-id").first()
    checkpoint_path().parent.mkdir(parents=True, exist_ok=True)
    checkpoint_path().write_text(
        json.dumps({"date": f"{_today()}", "event_id": last.pk + 3, "hash": "0" * 64}) + "\n"
    )

    result = audit_chain_intact(_today())

    assert not result.passed
    assert result.evidence.startswith(f"broken at event #{last.pk + 3}: ")
    assert f"the log now ends at #{last.pk}" in result.evidence


# --- 438.6, 438.9: sharing only under lawful, approved agreements ------------------------------


def test_sharing_passes_while_it_matches_the_approved_agreements():
    agreement_with(partner_agency())
    sharing_on()

    result = sharing_lawful(_today())

    assert result.passed
    assert "sharing is on; 1 agreement partner in effect (Oakland Police Department)" in (
        result.evidence
    )


def test_sharing_fails_when_a_partner_became_a_private_company():
    agreement = agreement_with(partner_agency())
    Agency.objects.filter(pk=agreement.partner_id).update(type=AgencyType.PRIVATE)

    result = sharing_lawful(_today())

    assert not result.passed
    assert "is a private entity" in result.evidence


# --- 438.9: records requests answered within the CPRA deadline ---------------------------------


def test_records_requests_fail_while_one_is_overdue_and_name_it():
    desk = Requester(make_user("carla", Role.CUSTODIAN), channel="cli")
    assert records_requests_on_time(_today()).passed
    overdue = take_in(desk, days_ago=12)

    result = records_requests_on_time(_today())

    assert not result.passed
    assert f"1 request late: {overdue.number} (due {overdue.due_on:%Y-%m-%d}, still open)" == (
        result.evidence
    )

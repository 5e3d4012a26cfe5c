"""Compliance fixtures: a policy file of each test's own, and an installation meeting every
obligation, from which a test takes one thing away."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from platekeeper.server.access.reports import build_report
from platekeeper.server.access.roles import Role
from platekeeper.server.cases.actions import set_case_number_format
from platekeeper.server.compliance.actions import Officials, name_officials
from platekeeper.server.retention.purge import purge
from platekeeper.server.transparency.actions import publish_policy
from tests.support.people import SETUP_REQUESTER, make_user

OFFICIALS = Officials(
    administrator_name="Jane Roe",
    administrator_title="Administration Operations Commander",
    designee_name="John Doe",
    designee_title="Sergeant, ALPR program",
    audit_every_days=90,
)
POLICY = "438.1 PURPOSE AND SCOPE\nThe purpose of this policy...\n"


def use_policy_file(settings, directory: Path) -> Path:
    """Post the policy in `directory` for this test, not in the installation's data dir."""
    path = directory / "policy.txt"
    settings.PLATEKEEPER_POLICY_FILE = str(path)
    return path


def make_compliant(settings, directory: Path) -> None:
    """Policy published, officials named, default retention, a purge run, every user trained,
    an audit report run, a case-number format set; the audit chain is intact as written."""
    use_policy_file(settings, directory)
    publish_policy(POLICY, requester=SETUP_REQUESTER)
    name_officials(OFFICIALS, requester=SETUP_REQUESTER)
    set_case_number_format(r"\d{2}-\d{3,6}", example="26-004417", requester=SETUP_REQUESTER)
    purge(requester=SETUP_REQUESTER)
    make_user("alice", Role.ADMINISTRATOR)
    make_user("audrey", Role.AUDITOR)
    today = timezone.localdate()
    build_report("by_purpose", requester=SETUP_REQUESTER, start=today, end=today)


@pytest.fixture(autouse=True)
def policy_file(settings, tmp_path) -> Path:
    return use_policy_file(settings, tmp_path)


@pytest.fixture
def compliant(db, settings, tmp_path) -> None:
    make_compliant(settings, tmp_path)

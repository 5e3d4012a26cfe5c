"""The daily self-check: the effective sharing state against what was approved."""

from __future__ import annotations

import pytest

from platekeeper.server.access.models import AuditEvent
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency, AgencyType
from platekeeper.server.scheduler import daily_jobs
from platekeeper.server.sharing.actions import revoke_agreement
from platekeeper.server.sharing.models import Agreement, SharingSettings
from platekeeper.server.sharing.selfcheck import run_self_check
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.sharing import agreement_with, partner_agency, sharing_on

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def approved():
    oakland = partner_agency()
    agreement = agreement_with(oakland)
    sharing_on()
    make_user("alex", Role.PARTNER, agency=oakland)
    return agreement


def test_a_state_that_matches_the_agreements_passes(approved):
    check = run_self_check()

    assert check.ok
    assert check.findings == []
    assert AuditEvent.objects.get(action="sharing.selfcheck").query == {"ok": True, "findings": 0}


def test_a_national_lookup_switched_on_by_hand_is_an_alarm(db, caplog):
    SharingSettings.objects.update_or_create(pk=1, defaults={"sharing_enabled": True})

    check = run_self_check()

    assert not check.ok
    assert check.findings == ["sharing is on but was not switched on through platekeeper"]
    assert "sharing self-check" in caplog.text


def test_a_partner_re_typed_as_private_is_an_alarm(approved):
    Agency.objects.filter(pk=approved.partner_id).update(type=AgencyType.PRIVATE)

    findings = run_self_check().findings

    assert any("partner_type changed outside platekeeper" in finding for finding in findings)


def test_widened_scope_written_into_the_table_is_an_alarm(approved):
    Agreement.objects.filter(pk=approved.pk).update(scopes=["alerts", "search"])

    assert "scopes changed outside platekeeper" in run_self_check().findings[0]


def test_partner_accounts_left_active_after_the_agreement_ends(approved):
    revoke_agreement(approved.pk, reason="ended", requester=SETUP_REQUESTER)

    findings = run_self_check().findings

    assert findings == [
        "active account 'alex' of Oakland Police Department has no agreement in effect; disable it"
    ]


def test_the_self_check_runs_every_day_with_the_server(db):
    names = [job.__name__ for job in daily_jobs()]

    assert "run_self_check" in names
    assert names.index("run_self_check") < names.index("write_checkpoint")

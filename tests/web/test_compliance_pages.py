"""The compliance page: for the administrator and the auditor, each run audited."""

from __future__ import annotations

import dataclasses
import re

import pytest

from platekeeper.server.access.models import AuditEvent, Outcome
from platekeeper.server.access.roles import Role
from platekeeper.server.compliance.actions import Officials
from platekeeper.server.compliance.checks import CHECKS
from tests.server.compliance.conftest import OFFICIALS, make_compliant, use_policy_file
from tests.web.conftest import signed_in

pytestmark = pytest.mark.django_db

FORM = dataclasses.asdict(OFFICIALS)


def _text(response) -> str:
    return response.content.decode()


def _result_of(page: str, key: str) -> str:
    """PASS or FAIL, as the row of obligation `key` shows it."""
    row = re.search(rf'<tr id="{key}">(.*?)</tr>', page, flags=re.DOTALL)
    assert row, key
    return re.search(r"\b(PASS|FAIL)\b", row.group(1)).group(1)


@pytest.fixture(autouse=True)
def _policy_file(settings, tmp_path):
    use_policy_file(settings, tmp_path)


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.INVESTIGATOR, Role.CUSTODIAN])
def test_roles_without_the_permission_are_refused(role):
    client = signed_in("someone", role)

    page = client.get("/compliance")
    posted = client.post("/compliance/officials", FORM)

    assert page.status_code == 403
    assert "Your role may not see the compliance report" in _text(page)
    assert 'href="/compliance"' not in _text(page)
    assert posted.status_code == 403
    assert Officials.current().administrator_name == ""


def test_an_auditor_sees_each_obligation_pass_or_fail_and_the_run_is_audited():
    auditor = signed_in("audrey", Role.AUDITOR)

    response = auditor.get("/compliance")

    page = _text(response)
    assert response.status_code == 200
    assert 'href="/compliance" aria-current="page"' in page
    assert _result_of(page, "officials_named") == "FAIL"
    assert _result_of(page, "training_current") == "PASS"
    assert "no administrator and no designee named" in page
    assert f"5 of {len(CHECKS)} obligations not met." in page
    assert "Program officials" not in page  # the auditor reviews; the administrator names
    event = AuditEvent.objects.get(action="compliance.report")
    assert (event.username, event.outcome, event.channel) == ("audrey", Outcome.ALLOWED, "ui")
    assert "officials_named" in event.query["failed"]


def test_every_obligation_met_shows_so(settings, tmp_path):
    make_compliant(settings, tmp_path)

    page = _text(signed_in("avery", Role.AUDITOR).get("/compliance"))

    assert f"All {len(CHECKS)} obligations met." in page
    assert "FAIL" not in page


def test_an_administrator_names_the_officials_and_the_change_is_audited():
    admin = signed_in("alice", Role.ADMINISTRATOR)
    form_page = _text(admin.get("/compliance"))

    posted = admin.post("/compliance/officials", FORM)
    page = _text(admin.get("/compliance"))

    assert "Administration Operations Commander" in form_page  # the default title, filled in
    assert posted.status_code == 302
    assert posted.url == "/compliance"
    assert "Named Jane Roe as administrator and John Doe as designee" in page
    assert _result_of(page, "officials_named") == "PASS"
    event = AuditEvent.objects.get(action="compliance.officials")
    assert (event.username, event.outcome, event.channel) == ("alice", Outcome.ALLOWED, "ui")
    assert event.query["after"] == FORM


def test_a_blank_designee_is_refused_with_the_form_kept():
    admin = signed_in("alice", Role.ADMINISTRATOR)

    response = admin.post("/compliance/officials", {**FORM, "designee_name": ""})

    assert response.status_code == 400
    assert "This field is required." in _text(response)
    assert 'value="Jane Roe"' in _text(response)
    assert not AuditEvent.objects.filter(action="compliance.officials").exists()


def test_an_administrator_whose_training_lapsed_is_refused_with_the_reason():
    admin = signed_in("alice", Role.ADMINISTRATOR, training="lapsed")

    page = admin.get("/compliance")
    posted = admin.post("/compliance/officials", FORM)

    assert page.status_code == 403
    assert "training lapsed" in _text(page)
    assert posted.status_code == 403
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, action__startswith="compliance.")
    assert set(denied.values_list("action", flat=True)) == {
        "compliance.report",
        "compliance.officials",
    }

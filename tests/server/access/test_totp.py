"""The TOTP second factor's actions (access.totp): enrolment, login codes, lockout, removal."""

from __future__ import annotations

import pyotp
import pytest

from platekeeper.server.access import totp
from platekeeper.server.access.actions import LoginRefused, set_require_totp
from platekeeper.server.access.models import AuditEvent
from tests.support.people import SETUP_REQUESTER, make_user

pytestmark = pytest.mark.django_db


def _wrong(secret: str) -> str:
    right = pyotp.TOTP(secret).now()
    return "123456" if right != "123456" else "654321"


@pytest.fixture
def enrolled():
    user = make_user("ines")
    secret = totp.start_totp_enrolment(user, requester=SETUP_REQUESTER)
    totp.confirm_totp(user, pyotp.TOTP(secret).now(), requester=SETUP_REQUESTER)
    return user


def test_a_wrong_code_does_not_confirm_enrolment():
    user = make_user("ines")
    secret = totp.start_totp_enrolment(user, requester=SETUP_REQUESTER)
    with pytest.raises(totp.TotpError, match="does not match"):
        totp.confirm_totp(user, _wrong(secret), requester=SETUP_REQUESTER)
    user.refresh_from_db()
    assert not user.totp_confirmed
    assert "secret=" + secret in totp.provisioning_uri(user)


def test_enrolling_twice_is_refused(enrolled):
    with pytest.raises(totp.TotpError, match="already set up"):
        totp.start_totp_enrolment(enrolled, requester=SETUP_REQUESTER)


def test_guessing_codes_ends_in_lockout(enrolled):
    for _ in range(4):
        with pytest.raises(LoginRefused, match="not right"):
            totp.verify_login_code(enrolled, _wrong(enrolled.totp_secret), channel="ui")
    with pytest.raises(LoginRefused, match="locked"):
        totp.verify_login_code(enrolled, _wrong(enrolled.totp_secret), channel="ui")
    # Once locked, even the right code is refused.
    with pytest.raises(LoginRefused, match="locked"):
        totp.verify_login_code(enrolled, pyotp.TOTP(enrolled.totp_secret).now(), channel="ui")
    assert AuditEvent.objects.filter(action="login.totp_failed").count() == 6


def test_the_right_code_is_audited_as_allowed(enrolled):
    totp.verify_login_code(
        enrolled, pyotp.TOTP(enrolled.totp_secret).now(), channel="ui", client_address="10.0.0.9"
    )
    event = AuditEvent.objects.get(action="login.totp")
    assert (event.outcome, event.client_address) == ("allowed", "10.0.0.9")


def test_the_owner_cannot_turn_off_a_mandatory_second_factor(enrolled):
    set_require_totp(True, requester=SETUP_REQUESTER)
    with pytest.raises(totp.TotpError, match="mandatory"):
        totp.remove_totp(
            enrolled, requester=SETUP_REQUESTER, code=pyotp.TOTP(enrolled.totp_secret).now()
        )
    totp.remove_totp(enrolled, requester=SETUP_REQUESTER)  # an administrator's reset
    enrolled.refresh_from_db()
    assert (enrolled.totp_secret, enrolled.totp_confirmed) == ("", False)


def test_a_code_is_accepted_only_once(enrolled):
    code = pyotp.TOTP(enrolled.totp_secret).now()
    totp.verify_login_code(enrolled, code, channel="ui")

    with pytest.raises(LoginRefused, match="not right"):
        totp.verify_login_code(enrolled, code, channel="ui")

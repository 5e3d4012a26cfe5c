"""Password logins, lockout, and personal API tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.actions import (
    AccountError,
    LoginRefused,
    authenticate_password,
    create_personal_token,
    create_user,
    user_for_token,
)
from platekeeper.server.access.models import AuditEvent, PersonalToken
from platekeeper.server.access.roles import Role
from tests.support.people import PASSWORD, SETUP_REQUESTER, make_user

pytestmark = pytest.mark.django_db


def test_a_good_login_is_audited():
    make_user()

    authenticate_password("ines", PASSWORD, channel="ui", client_address="10.1.1.1")

    event = AuditEvent.objects.filter(action="login").get()
    assert (event.username, event.client_address, event.outcome) == ("ines", "10.1.1.1", "allowed")


def test_five_failures_lock_the_account_even_for_the_right_password():
    make_user()
    for _ in range(4):
        with pytest.raises(LoginRefused, match="wrong username or password"):
            authenticate_password("ines", "wrong", channel="ui")
    with pytest.raises(LoginRefused, match="locked for 30 minutes"):
        authenticate_password("ines", "wrong", channel="ui")

    with pytest.raises(LoginRefused, match="locked"):
        authenticate_password("ines", PASSWORD, channel="ui")

    actions = list(AuditEvent.objects.filter(username="ines").values_list("action", flat=True))
    assert actions.count("login.failed") == 5  # four wrong passwords, then the locked attempt
    assert actions.count("login.lockout") == 1


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password():
    with pytest.raises(LoginRefused, match="wrong username or password"):
        authenticate_password("nobody", "x", channel="api")
    assert AuditEvent.objects.get().reason == "unknown user"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "too short"),
        ("password1234", "too common"),
        ("4815162342424242", "entirely numeric"),
        ("ines-ines-ines-ines", "must not contain the username"),
    ],
)
def test_weak_passwords_are_refused(password, message):
    with pytest.raises(AccountError, match=message):
        create_user("ines", role=Role.OPERATOR, password=password, requester=SETUP_REQUESTER)


def test_a_personal_token_authenticates_until_it_expires():
    make_user()
    row, secret = create_personal_token("ines", requester=SETUP_REQUESTER)

    assert user_for_token(secret).username == "ines"
    PersonalToken.objects.filter(pk=row.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert user_for_token(secret) is None
    assert AuditEvent.objects.filter(action="token.create").exists()

"""The optional TOTP second factor: enrolment, confirmation, login checks and removal, each audited.

A secret is stored as soon as enrolment starts but counts only once the user proves, with a
code from their authenticator app, that they hold it (`totp_confirmed`). Every change writes its
audit event in the same transaction as the change.
"""

from __future__ import annotations

import pyotp
from django.db import transaction
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.actions import (
    LoginRefused,
    clear_failed_logins,
    count_failed_login,
)
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.gate import ADMINISTRATIVE, Requester, change, record_change
from platekeeper.server.access.models import Outcome, SecuritySettings, User
from platekeeper.server.access.roles import Permission

ISSUER = "platekeeper"
#: Codes from one 30-second step either side are accepted, for phones whose clocks drift.
VALID_WINDOW = 1


class TotpError(PlatekeeperError, ValueError):
    """A second-factor change was refused; the message says why."""


def _matching_step(secret: str, code: str) -> int | None:
    """The 30-second time step whose code this is (within the drift window), or None."""
    code = code.strip().replace(" ", "")
    if not secret or len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = int(timezone.now().timestamp()) // totp.interval
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def _code_matches(secret: str, code: str) -> bool:
    return _matching_step(secret, code) is not None


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI an authenticator app imports (typed in or scanned)."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


@change(Permission.MANAGE_USERS, "totp.enrol", own_account=True)
def start_totp_enrolment(user: User, *, requester: Requester) -> str:
    """Give the user a fresh, not yet confirmed secret; return it for their authenticator app."""
    if user.totp_confirmed:
        raise TotpError("a second factor is already set up; turn it off first to replace it")
    user.totp_secret = pyotp.random_base32()
    user.save(update_fields=["totp_secret"])
    record_change(requester, ADMINISTRATIVE, action="totp.enrol", query={"user": user.username})
    return user.totp_secret


@change(Permission.MANAGE_USERS, "totp.confirm", own_account=True)
def confirm_totp(user: User, code: str, *, requester: Requester) -> None:
    """Turn the pending secret on once a code made from it is correct."""
    if user.totp_confirmed:
        raise TotpError("a second factor is already set up")
    if not user.totp_secret:
        raise TotpError("start the set-up first")
    if not _code_matches(user.totp_secret, code):
        raise TotpError("code: that code does not match; check the phone's clock and try again")
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed"])
    record_change(requester, ADMINISTRATIVE, action="totp.confirm", query={"user": user.username})


@change(Permission.MANAGE_USERS, "totp.remove", own_account=True)
def remove_totp(user: User, *, requester: Requester, code: str | None = None) -> None:
    """Turn the second factor off: by its owner with a current code, or by an administrator.

    Refused when the security settings make a second factor mandatory, unless an administrator
    resets it (pass no code) so that the user enrols again at the next login.
    """
    if code is not None:
        if SecuritySettings.current().require_totp:
            raise TotpError("a second factor is mandatory here; it cannot be turned off")
        if not _code_matches(user.totp_secret, code):
            raise TotpError("code: that code does not match")
    user.totp_secret, user.totp_confirmed = "", False
    user.save(update_fields=["totp_secret", "totp_confirmed"])
    record_change(requester, ADMINISTRATIVE, action="totp.remove", query={"user": user.username})


def verify_login_code(user: User, code: str, *, channel: str, client_address: str = "") -> None:
    """Check the second step of a login; audit the outcome; raise LoginRefused on a bad code.

    A bad code counts as a failed login, so guessing codes ends in the same lockout as guessing
    passwords.
    """
    with transaction.atomic():
        # Locked until the end of this transaction: the same code sent twice at once is
        # checked once against the last step used, then refused as a replay.
        user.refresh_from_db(from_queryset=User.objects.select_for_update())
        locked = bool(user.locked_until and user.locked_until > timezone.now())
        step = _matching_step(user.totp_secret, code)
        # A code is good once: replaying one seen (e.g. over a shoulder) is refused.
        ok = user.is_active and not locked and step is not None and step > user.totp_last_step
        if ok and step is not None:  # (ok implies a step; repeated for the type checker)
            user.totp_last_step = step
            user.save(update_fields=["totp_last_step"])
            clear_failed_logins(user)
        elif not locked:
            count_failed_login(user, timezone.now())
        record_event(
            actor=Actor.of(user),
            action="login.totp" if ok else "login.totp_failed",
            outcome=Outcome.ALLOWED if ok else Outcome.DENIED,
            reason="" if ok else ("account locked" if locked else "wrong code"),
            client_address=client_address,
            channel=channel,
        )
    if not ok:
        if user.locked_until and user.locked_until > timezone.now():
            raise LoginRefused(
                "this account is locked after repeated failed logins; try again after "
                f"{user.locked_until:%H:%M} UTC or ask an administrator"
            )
        raise LoginRefused("that code is not right; enter the current 6-digit code")

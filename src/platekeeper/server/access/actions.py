"""Every change to users, roles, training, tokens and security settings, each audited.

Each action takes the acting principal as `requester`, asks the gate itself (`gate.change`), and
writes its audit event in the same transaction as the change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.server.access.audit import Actor, record_event
from platekeeper.server.access.gate import (
    ADMINISTRATIVE,
    Requester,
    authorize,
    change,
    record_change,
    record_refusal,
)
from platekeeper.server.access.models import (
    Outcome,
    PersonalToken,
    Purpose,
    SecuritySettings,
    TrainingRecord,
    User,
)
from platekeeper.server.access.prohibited import purpose_definition_problem
from platekeeper.server.access.roles import Permission, Role
from platekeeper.server.agencies.actions import ensure_home_agency
from platekeeper.server.agencies.models import Agency
from platekeeper.server.common.tokens import digest_token, make_token
from platekeeper.server.sharing.eligibility import eligibility_problem

TRAINING_VALID_DAYS = 365
DEFAULT_COURSE = "ALPR use, privacy and civil liberties (Policy 438.7)"
TOKEN_VALID_DAYS = 90
LOCKOUT_THRESHOLD = 5
LOCKOUT_WINDOW = dt.timedelta(minutes=15)
LOCKOUT_DURATION = dt.timedelta(minutes=30)


class AccountError(PlatekeeperError, ValueError):
    """A user or account change was refused; the message says why."""


class LoginRefused(PlatekeeperError):
    """A login failed; the message is safe to show (it never says which part was wrong)."""


def find_user(username: str) -> User:
    user = User.objects.select_related("agency").filter(username=username).first()
    if user is None:
        raise AccountError(f"no user named {username!r}")
    return user


def check_password_rules(password: str, user: User) -> None:
    """Apply the CJIS-style password rules (length, not like the username, not common)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise AccountError("password: " + " ".join(error.messages)) from None


def check_role_fits_agency(role: Role, agency: Agency) -> None:
    """Another agency's people are partners, and only of agencies that may receive data (438.9).

    The department's own staff never get the partner role, so a partner's narrower reach
    (its agreement) cannot be escaped by a role change, nor given to an insider by mistake.
    """
    if role == Role.PARTNER and agency.is_home:
        raise AccountError("agency: a partner account belongs to another agency; name it")
    if role != Role.PARTNER and not agency.is_home:
        raise AccountError(f"role: an account of {agency.name} can only have the partner role")
    problem = eligibility_problem(agency) if role == Role.PARTNER else None
    if problem:
        raise AccountError(problem)


@change(Permission.MANAGE_USERS, "user.create")
def create_user(
    username: str,
    *,
    role: Role,
    password: str,
    requester: Requester,
    agency: Agency | None = None,
    full_name: str = "",
    email: str = "",
) -> User:
    """Create an account with exactly one role."""
    username = username.strip()
    if not username:
        raise AccountError("username: must not be empty")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"username: {username!r} is taken")
    agency = agency or ensure_home_agency()
    check_role_fits_agency(role, agency)
    first, _, last = full_name.partition(" ")
    user = User(username=username, first_name=first, last_name=last, email=email, agency=agency)
    check_password_rules(password, user)
    user.set_password(password)
    user.save()
    user.groups.set([Group.objects.get(name=role.value)])
    record_change(
        requester,
        ADMINISTRATIVE,
        action="user.create",
        query={"user": username, "role": role.value},
    )
    return user


@change(Permission.MANAGE_USERS, "user.role_change")
def set_role(username: str, role: Role, *, requester: Requester) -> User:
    user = find_user(username)
    check_role_fits_agency(role, user.agency or ensure_home_agency())
    before = user.role
    user.groups.set([Group.objects.get(name=role.value)])
    record_change(
        requester,
        ADMINISTRATIVE,
        action="user.role_change",
        query={"user": username, "from": before.value if before else "", "to": role.value},
    )
    return user


@change(Permission.MANAGE_USERS, "user.disable")
def disable_user(username: str, *, requester: Requester) -> User:
    """Disable an account at once: it can no longer log in or use its tokens."""
    user = find_user(username)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_change(requester, ADMINISTRATIVE, action="user.disable", query={"user": username})
    return user


@change(Permission.MANAGE_USERS, "user.password_change", own_account=True)
def change_password(username: str, new_password: str, *, requester: Requester) -> None:
    user = find_user(username)
    check_password_rules(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    record_change(
        requester, ADMINISTRATIVE, action="user.password_change", query={"user": username}
    )


@change(Permission.RECORD_TRAINING, "training.record")
def record_training(
    username: str,
    *,
    completed_on: dt.date,
    requester: Requester,
    course: str = DEFAULT_COURSE,
    valid_days: int = TRAINING_VALID_DAYS,
    recorded_by: User | None = None,
) -> TrainingRecord:
    """Record a completed training; it allows access until completion + `valid_days`."""
    if completed_on > timezone.localdate():
        raise AccountError("completed: a training cannot be completed in the future")
    user = find_user(username)
    record = TrainingRecord.objects.create(
        user=user,
        course=course,
        completed_on=completed_on,
        expires_on=completed_on + dt.timedelta(days=valid_days),
        recorded_by=recorded_by or requester.user,
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="training.record",
        query={
            "user": username,
            "completed_on": str(completed_on),
            "expires_on": str(record.expires_on),
        },
    )
    return record


@change(Permission.MANAGE_USERS, "token.create", own_account=True)
def create_personal_token(
    username: str, *, requester: Requester, valid_days: int = TOKEN_VALID_DAYS
) -> tuple[PersonalToken, str]:
    """Issue an expiring personal API token; the secret is returned once and never stored."""
    user = find_user(username)
    if not user.is_active:
        raise AccountError(f"{username!r} is disabled")
    token = make_token("pkp")
    row = PersonalToken.objects.create(
        user=user,
        token_hash=token.digest,
        token_prefix=token.prefix,
        expires_at=timezone.now() + dt.timedelta(days=valid_days),
    )
    record_change(
        requester,
        ADMINISTRATIVE,
        action="token.create",
        query={"user": username, "prefix": token.prefix, "expires_at": row.expires_at.isoformat()},
    )
    return row, token.secret


def revoke_personal_tokens(name_or_id: str, *, requester: Requester) -> int:
    """Revoke a personal token by its id, or every live token of a user by username; returns
    how many. The next request with one of them is refused (tokens are looked up each time)."""
    live = PersonalToken.objects.filter(revoked_at__isnull=True)
    if name_or_id.isdigit():
        chosen = live.filter(pk=int(name_or_id))
        owner = (
            PersonalToken.objects.filter(pk=int(name_or_id))
            .values_list("user__username", flat=True)
            .first()
        )
        if owner is None:
            raise AccountError(f"token: no token with id {name_or_id}")
    else:
        owner = find_user(name_or_id).username
        chosen = live.filter(user__username=owner)
    return _revoke_tokens(owner, chosen, requester=requester)


@change(Permission.MANAGE_USERS, "token.revoke", own_account=True)
def _revoke_tokens(owner: str, chosen: QuerySet[PersonalToken], *, requester: Requester) -> int:
    prefixes = list(chosen.values_list("token_prefix", flat=True))
    revoked = chosen.update(revoked_at=timezone.now())
    record_change(
        requester,
        ADMINISTRATIVE,
        action="token.revoke",
        query={"user": owner, "prefixes": prefixes, "revoked": revoked},
    )
    return revoked


def user_for_token(secret: str) -> User | None:
    """The user a live personal token belongs to (even if disabled: the gate says why)."""
    row = (
        PersonalToken.objects.select_related("user__agency")
        .filter(
            token_hash=digest_token(secret), revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .first()
    )
    if row is None:
        return None
    PersonalToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user


@change(Permission.MANAGE_SETTINGS, "settings.require_totp")
def set_require_totp(required: bool, *, requester: Requester) -> None:
    settings = SecuritySettings.current()
    settings.require_totp = required
    settings.save()
    record_change(
        requester, ADMINISTRATIVE, action="settings.require_totp", query={"require_totp": required}
    )


class PurposeError(PlatekeeperError, ValueError):
    """A purpose cannot be added or activated; the message names the field or the law."""


def add_purpose(
    code: str, label: str, *, case_number_required: bool = True, requester: Requester
) -> Purpose:
    """Add a purpose users may state (438.5(b)); one naming a prohibited purpose
    (`access.prohibited`) is refused, audited with the law it would break."""
    code, label = code.strip(), label.strip()
    query: dict[str, Any] = {
        "code": code,
        "label": label,
        "case_number_required": case_number_required,
    }
    _check_purpose(code, label, action="purpose.add", query=query, requester=requester)
    if not code or not label:
        raise PurposeError("code: and label: are both required")
    if Purpose.objects.filter(code=code).exists():
        raise PurposeError(f"code: a purpose {code!r} exists already")
    with transaction.atomic():
        purpose = Purpose.objects.create(
            code=code, label=label, case_number_required=case_number_required
        )
        record_change(requester, ADMINISTRATIVE, action="purpose.add", query=query)
    return purpose


def set_purpose_active(code: str, active: bool, *, requester: Requester) -> Purpose:
    """Retire a purpose, or bring one back; bringing back one that names a prohibited
    purpose (e.g. left in an old database) is refused like adding it."""
    purpose = Purpose.objects.filter(code=code).first()
    if purpose is None:
        raise PurposeError(f"code: no purpose {code!r}")
    action = "purpose.activate" if active else "purpose.retire"
    query: dict[str, Any] = {"code": code}
    if active:
        _check_purpose(code, purpose.label, action=action, query=query, requester=requester)
    else:
        authorize(
            requester,
            permission=Permission.MANAGE_SETTINGS,
            justification=ADMINISTRATIVE,
            action=action,
            query=query,
        )
    with transaction.atomic():
        purpose.active = active
        purpose.save(update_fields=["active"])
        record_change(requester, ADMINISTRATIVE, action=action, query=query)
    return purpose


def _check_purpose(
    code: str, label: str, *, action: str, query: dict[str, Any], requester: Requester
) -> None:
    """Ask the gate, then refuse (audited, committed) a purpose the law forbids."""
    authorize(
        requester,
        permission=Permission.MANAGE_SETTINGS,
        justification=ADMINISTRATIVE,
        action=action,
        query=query,
    )
    problem = purpose_definition_problem(code, label)
    if problem:
        record_refusal(requester, action=action, query=query, reason=problem)
        raise PurposeError(problem)


def authenticate_password(
    username: str, password: str, *, channel: str, client_address: str = ""
) -> User:
    """Check a username and password, with lockout after repeated failures; audit the outcome.

    After LOCKOUT_THRESHOLD failures within LOCKOUT_WINDOW the account is locked for
    LOCKOUT_DURATION; a locked account is refused even with the right password. The failure
    count and the audit event are committed before the refusal is raised.
    """
    with transaction.atomic():
        user, action, reason, refusal = _judge_login(username, password)
        actor = Actor.of(user) if user else Actor(username=username)
        record_event(
            actor=actor,
            action=action,
            outcome=Outcome.DENIED if refusal else Outcome.ALLOWED,
            reason=reason,
            client_address=client_address,
            channel=channel,
        )
    if refusal or user is None:
        raise LoginRefused(refusal)
    return user


def _judge_login(username: str, password: str) -> tuple[User | None, str, str, str]:
    """Decide a login: (user, audit action, audit reason, refusal shown to the person or '')."""
    now = timezone.now()
    # The row stays locked until the login's transaction ends, so concurrent attempts on one
    # account are judged one after another: after the fifth wrong password, the rest find the
    # account locked and no more guesses are tried. (SQLite: one writer at a time already.)
    user = (
        User.objects.select_for_update(of=("self",))
        .select_related("agency")
        .filter(username=username)
        .first()
    )
    if user is None:
        return None, "login.failed", "unknown user", "wrong username or password"
    if user.locked_until and user.locked_until > now:
        return (
            user,
            "login.failed",
            "account locked",
            "this account is locked after repeated failed logins; try again after "
            f"{user.locked_until:%H:%M} UTC or ask an administrator",
        )
    if not user.check_password(password):
        count_failed_login(user, now)
        if user.locked_until and user.locked_until > now:
            minutes = int(LOCKOUT_DURATION.total_seconds() // 60)
            refusal = f"too many failed logins: this account is locked for {minutes} minutes"
            return user, "login.lockout", "wrong password", refusal
        return user, "login.failed", "wrong password", "wrong username or password"
    if not user.is_active:
        return user, "login.failed", "account disabled", "this account is disabled"
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    user.last_login = now
    user.save(
        update_fields=["failed_logins", "first_failed_login_at", "locked_until", "last_login"]
    )
    return user, "login", "", ""


def clear_failed_logins(user: User) -> None:
    """A complete, successful login: forget earlier failures and note the time."""
    user.failed_logins, user.first_failed_login_at, user.locked_until = 0, None, None
    user.last_login = timezone.now()
    user.save(
        update_fields=["failed_logins", "first_failed_login_at", "locked_until", "last_login"]
    )


def count_failed_login(user: User, now: dt.datetime) -> None:
    """Count a failed password or code; the LOCKOUT_THRESHOLD-th within the window locks.

    One UPDATE computes the new count from the stored one, so two failures counted at the same
    moment never overwrite each other; `user` is refreshed with the result.
    """
    window_over = Q(first_failed_login_at__isnull=True) | Q(
        first_failed_login_at__lt=now - LOCKOUT_WINDOW
    )
    User.objects.filter(pk=user.pk).update(
        failed_logins=Case(When(window_over, then=Value(1)), default=F("failed_logins") + 1),
        first_failed_login_at=Case(
            When(window_over, then=Value(now)), default=F("first_failed_login_at")
        ),
        locked_until=Case(
            When(window_over, then=F("locked_until")),
            When(failed_logins__gte=LOCKOUT_THRESHOLD - 1, then=Value(now + LOCKOUT_DURATION)),
            default=F("locked_until"),
        ),
    )
    user.refresh_from_db(fields=["failed_logins", "first_failed_login_at", "locked_until"])


def record_logout(user: User, *, channel: str, client_address: str = "") -> None:
    with transaction.atomic():
        record_event(
            actor=Actor.of(user), action="logout", channel=channel, client_address=client_address
        )

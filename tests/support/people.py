"""Users for tests: a role, and current, lapsed or no training."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.actions import create_user, record_training
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.models import User
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency

PASSWORD = "Correct-Horse-Battery-42"
#: Who sets up test data: a system job, which the gate lets make administrative changes.
SETUP_REQUESTER = Requester.system("test-setup")


def make_user(
    username: str = "ines",
    role: Role = Role.INVESTIGATOR,
    *,
    training: str = "current",
    password: str = PASSWORD,
    agency: Agency | None = None,
) -> User:
    """A user with a role; `training` is "current", "lapsed" (ran out 10 days ago) or "none".

    `agency` defaults to this department; a partner user needs another agency.
    """
    user = create_user(
        username, role=role, password=password, requester=SETUP_REQUESTER, agency=agency
    )
    today = timezone.localdate()
    if training == "current":
        record_training(
            username, completed_on=today - dt.timedelta(days=30), requester=SETUP_REQUESTER
        )
    elif training == "lapsed":
        record_training(
            username, completed_on=today - dt.timedelta(days=375), requester=SETUP_REQUESTER
        )
    return user


def as_person(user: User, channel: str = "ui") -> Requester:
    """The requester of a signed-in person (from 127.0.0.1), for calling actions directly."""
    return Requester.person(user, channel=channel, client_address="127.0.0.1")

"""Users for tests: a role, and current, lapsed or no training."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from platekeeper.server.access.actions import create_user, record_training
from platekeeper.server.access.audit import Actor
from platekeeper.server.access.models import User
from platekeeper.server.access.roles import Role
from platekeeper.server.agencies.models import Agency

PASSWORD = "Correct-Horse-Battery-42"
SETUP_ACTOR = Actor(username="test-setup")


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
    user = create_user(username, role=role, password=password, actor=SETUP_ACTOR, agency=agency)
    today = timezone.localdate()
    if training == "current":
        record_training(username, completed_on=today - dt.timedelta(days=30), actor=SETUP_ACTOR)
    elif training == "lapsed":
        record_training(username, completed_on=today - dt.timedelta(days=375), actor=SETUP_ACTOR)
    return user

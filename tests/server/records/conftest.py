"""Records request fixtures: the records desk (a custodian), the commander, and a request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from platekeeper.server.access.gate import Requester
from platekeeper.server.access.roles import Role
from platekeeper.server.records.actions import take_in_request
from platekeeper.server.records.models import RecordsRequest, RequestKind
from tests.support.people import make_user


def as_requester(username: str, role: Role) -> Requester:
    return Requester(make_user(username, role), channel="cli", client_address=f"console:{username}")


def take_in(desk: Requester, *, days_ago: int = 0, **overrides: object) -> RecordsRequest:
    """A member of the public's request, received `days_ago` days ago."""
    fields: dict[str, object] = {
        "requester_name": "Pat Doe",
        "requester_contact": "pat@example.org",
        "kind": RequestKind.PUBLIC_RECORDS,
        "data_sought": "Every read of my car, 7ABC123, in March",
        "received_on": timezone.localdate() - dt.timedelta(days=days_ago),
        **overrides,
    }
    return take_in_request(desk, **fields)


@pytest.fixture
def desk(db) -> Requester:
    """The Records Custodian who takes requests in and hands releases over."""
    return as_requester("carla", Role.CUSTODIAN)


@pytest.fixture
def commander(db) -> Requester:
    """The Support Services Division Commander (the Auditor role), who decides."""
    return as_requester("ada", Role.AUDITOR)

"""A hotlist with exact, look-alike and partial entries, and a camera posting reads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from platekeeper.hotlist_formats import parse_csv
from platekeeper.server.hotlists.actions import add_entry, create_hotlist, import_entries
from tests.support.people import SETUP_REQUESTER


@pytest.fixture
def hotlist(db):
    stolen = create_hotlist(
        "CA stolen vehicles",
        requester=SETUP_REQUESTER,
        source="state",
        category="stolen_vehicle",
        priority=1,
    )
    rows = parse_csv(
        io.StringIO("plate,state,description\n7ABC123,CA,Silver Civic\n8OB555,,Red truck\n")
    )
    import_entries(stolen, rows, requester=SETUP_REQUESTER)
    add_entry(
        stolen,
        "6TR?20",
        requester=SETUP_REQUESTER,
        reason="Partial plate, homicide",
        case_number="24-77",
    )
    add_entry(
        stolen,
        "1OLD000",
        requester=SETUP_REQUESTER,
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    return stolen

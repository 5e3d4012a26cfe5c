"""A hotlist with exact, look-alike and partial entries, and a camera posting reads."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from platekeeper.hotlist_formats import parse_csv
from platekeeper.server.hotlists.actions import add_entry, create_hotlist, import_entries
from tests.support.people import SETUP_ACTOR


@pytest.fixture
def hotlist(db):
    stolen = create_hotlist(
        "CA stolen vehicles",
        actor=SETUP_ACTOR,
        source="state",
        category="stolen_vehicle",
        priority=1,
    )
    rows = parse_csv(
        io.StringIO("plate,state,description\n7ABC123,CA,Silver Civic\n8OB555,,Red truck\n")
    )
    import_entries(stolen, rows, actor=SETUP_ACTOR)
    add_entry(
        stolen, "6TR?20", actor=SETUP_ACTOR, reason="Partial plate, homicide", case_number="24-77"
    )
    add_entry(
        stolen,
        "1OLD000",
        actor=SETUP_ACTOR,
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    return stolen

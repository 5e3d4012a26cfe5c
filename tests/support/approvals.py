"""Approval thresholds for tests that are about something else than broad queries."""

from __future__ import annotations

from platekeeper.server.approvals.actions import set_thresholds
from tests.support.people import SETUP_REQUESTER

#: Wider than any test's query: nothing is held for approval.
NOTHING_HELD = {
    "canvass_radius_m": 1_000_000,
    "canvass_hours": 24 * 366,
    "partial_known_chars": 1,
    "export_rows": 1_000_000,
    "search_back_days": 366,
    "vehicle_without_plate": False,
}


def hold_nothing() -> None:
    """Let every query run without a second person's approval (audited like any change)."""
    set_thresholds(requester=SETUP_REQUESTER, **NOTHING_HELD)

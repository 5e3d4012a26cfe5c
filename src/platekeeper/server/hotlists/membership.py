"""Which plates stand on an active hotlist, for the flag beside each search or canvass row.

Kept apart from `hotlists.queries` (which searches reads back) so the reads' own queries can
ask it without an import cycle. It discloses nothing by itself: it is called inside the gated
search whose result rows carry the flag, and so is covered by that search's audit event.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q
from django.utils import timezone

from platekeeper.server.hotlists.models import HotlistEntry


def plates_on_active_hotlists(plates: Collection[str]) -> set[str]:
    """Those of `plates` (normalized) entered exactly on an active, unexpired hotlist."""
    if not plates:
        return set()
    current = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
    rows = HotlistEntry.objects.filter(
        current, hotlist__active=True, plate_normalized__in=set(plates)
    ).values_list("plate_normalized", flat=True)
    return set(rows)

"""The in-memory hotlist matcher of this process, rebuilt when the hotlist generation changes."""

from __future__ import annotations

import threading

from platekeeper.matching import Entry, Matcher
from platekeeper.server.hotlists.models import HotlistGeneration
from platekeeper.server.hotlists.queries import matching_entries

_lock = threading.Lock()
_cached: tuple[int, Matcher] | None = None


def current_generation() -> int:
    return HotlistGeneration.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def current_matcher() -> Matcher:
    """The matcher for the hotlists as they are now (one cheap query when nothing changed)."""
    global _cached
    generation = current_generation()
    if _cached is not None and _cached[0] == generation:
        return _cached[1]
    with _lock:
        if _cached is None or _cached[0] != generation:
            matcher = Matcher(
                Entry(key=pk, plate=plate, state=state, fuzzy=fuzzy)
                for pk, plate, state, fuzzy in matching_entries()
            )
            _cached = (generation, matcher)
        return _cached[1]

"""Partial and look-alike plate searches served by an index (PostgreSQL `pg_trgm`).

A partial plate (`7AB?12`, `*X9*`) or a look-alike search cannot walk the (plate, time) index.
On PostgreSQL two trigram GIN indexes (migration reads/0003) serve them: one on the plate, one
on its look-alike form (each character of a look-alike group replaced by the group's first,
the same canonical form the hotlist matcher uses). The search is narrowed there with an
anchored regular expression, which pg_trgm answers from the index, and the caller still tests
each row with the matcher's own predicate, so the index only narrows and never decides.
SQLite has no such index: its scan stays bounded by the 31-day window.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db import connection
from django.db.models import F, Func, QuerySet, Value

from platekeeper.plates import DEFAULT_LOOKALIKE_GROUPS, lookalike_table

_TABLE = lookalike_table(DEFAULT_LOOKALIKE_GROUPS)
#: translate()'s two arguments for the look-alike form, as the index expression spells them.
LOOKALIKE_FROM = "".join(chr(code) for code in _TABLE)
LOOKALIKE_TO = "".join(_TABLE.values())


def lookalike_form(field: str = "plate_normalized") -> Func:
    """The look-alike form of a plate column, as the expression index computes it."""
    return Func(F(field), Value(LOOKALIKE_FROM), Value(LOOKALIKE_TO), function="translate")


def narrow_scan(reads: QuerySet, pattern: str, *, lookalike: bool) -> QuerySet:
    """Reads whose plate may match `pattern` (normalised, with ? and * wildcards), narrowed
    through the trigram indexes on PostgreSQL; unchanged on SQLite."""
    if connection.vendor != "postgresql":
        return reads
    if not lookalike:
        return reads.filter(plate_normalized__regex=_anchored(pattern))
    return reads.annotate(plate_lookalike=lookalike_form()).filter(
        plate_lookalike__regex=_anchored(pattern.translate(_TABLE))
    )


def scanned_plates(narrowed: QuerySet) -> Iterator[tuple]:
    """(id, captured_at, plate) of the narrowed reads, newest first, streamed from a
    server-side cursor. The time comes along so the caller can fetch the matching rows by
    (id, time), which PostgreSQL prunes to their day partitions.

    PostgreSQL plans a cursor for its first tenth of rows (`cursor_tuple_fraction`), which
    for a rare pattern over many days means walking the time index backwards and testing the
    regular expression on every read of the window; planned for all its rows, the cursor uses
    the trigram index as the same query without a cursor does. Set for this transaction only.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
    return narrowed.values_list("id", "captured_at", "plate_normalized").iterator(5000)


def _anchored(pattern: str) -> str:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return f"^{''.join(parts)}$"

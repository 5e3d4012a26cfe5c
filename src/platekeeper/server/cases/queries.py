"""Reads of the case register (no ALPR data: the reconciliation report that uses them is
asked of the gate by `access.reports`)."""

from __future__ import annotations

from collections.abc import Iterable

from platekeeper.server.cases.models import Case


def cases_by_number(numbers: Iterable[str]) -> dict[str, Case]:
    """The register's cases among `numbers`, by case number."""
    return Case.objects.in_bulk(list(set(numbers)), field_name="case_number")

"""Whether a case number has the department's format: asked by the gate at every access that
states one (`access.gate.purpose_problem`), so `x` is no longer a case number."""

from __future__ import annotations

import re

from platekeeper.server.cases.models import PATTERN_LENGTH, CaseNumberFormat
from platekeeper.server.records.models import RecordsRequest


def pattern_problem(pattern: str, example: str) -> str | None:
    """Why `pattern` cannot be the department's format (not a regular expression, or its own
    example does not match it), or None."""
    if not pattern:
        return "regex: must not be empty"
    if len(pattern) > PATTERN_LENGTH:
        return f"regex: at most {PATTERN_LENGTH} characters"
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        return f"regex: {pattern!r} is not a regular expression ({error})"
    if not example:
        return "example: must not be empty"
    if compiled.fullmatch(example) is None:
        return f"example: {example!r} does not match the regex {pattern!r}"
    return None


def case_number_problem(case_number: str) -> str | None:
    """Why `case_number` is not one of this department's (None when it is, or no format is set).

    A records request's own number (`RR-2026-0007`, under which its release is held and
    exported) is the department's too, whatever the format of its case numbers.
    """
    row = CaseNumberFormat.current()
    if not row.pattern or re.fullmatch(row.pattern, case_number):
        return None
    if RecordsRequest.objects.filter(number=case_number).exists():
        return None
    return (
        f"case_number: {case_number!r} is not a case number of this department "
        f"(written like {row.example})"
    )

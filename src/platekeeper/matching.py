"""Matching plate reads against hotlists, fast on millions of entries. Standard library only.

Used by the server at ingest and by the edge agent offline. Every match says how it matched
(exact, look-alike, partial pattern, one edit) so an officer can weigh it: a hit is never
probable cause on its own.
"""

from __future__ import annotations

import enum
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from platekeeper.plates import (
    DEFAULT_LOOKALIKE_GROUPS,
    is_pattern,
    lookalike_table,
)

#: Partial patterns are found through their longest literal run; runs shorter than this would
#: select too many candidates, so such patterns are tried one by one instead.
_MIN_RUN = 2
_RUN = re.compile(r"[^?*]+")


class MatchKind(enum.StrEnum):
    """How a read matched an entry, strongest first."""

    EXACT = "exact"
    LOOKALIKE = "lookalike"
    PARTIAL = "partial"
    FUZZY = "fuzzy"


_STRENGTH = {kind: rank for rank, kind in enumerate(MatchKind)}


@dataclass(frozen=True)
class Entry:
    """What the matcher needs of a hotlist entry. `plate` is normalised and may be a pattern."""

    key: int
    plate: str
    state: str = ""
    fuzzy: bool = False


@dataclass(frozen=True)
class Match:
    entry_key: int
    kind: MatchKind


@dataclass(frozen=True)
class _Pattern:
    entry: Entry
    regex: re.Pattern[str]


class Matcher:
    """An immutable index over hotlist entries; build a new one when the lists change."""

    def __init__(
        self, entries: Iterable[Entry], lookalike_groups: tuple[str, ...] = DEFAULT_LOOKALIKE_GROUPS
    ) -> None:
        self._table = lookalike_table(lookalike_groups)
        self._exact: dict[str, list[Entry]] = defaultdict(list)
        self._lookalike: dict[str, list[Entry]] = defaultdict(list)
        self._one_edit: dict[str, list[Entry]] = defaultdict(list)
        self._by_run: dict[str, list[_Pattern]] = defaultdict(list)
        self._run_lengths: list[int] = []
        self._unindexed: list[_Pattern] = []
        self.size = 0
        for entry in entries:
            self._add(entry)
            self.size += 1

    def _add(self, entry: Entry) -> None:
        canonical = entry.plate.translate(self._table)
        if is_pattern(entry.plate):
            pattern = _Pattern(entry, _compile(canonical))
            run = max(_RUN.findall(canonical), key=len, default="")
            if len(run) >= _MIN_RUN:
                self._by_run[run].append(pattern)
                if len(run) not in self._run_lengths:
                    self._run_lengths.append(len(run))
            else:
                self._unindexed.append(pattern)
            return
        self._exact[entry.plate].append(entry)
        self._lookalike[canonical].append(entry)
        if entry.fuzzy:
            for variant in _deletions(canonical):
                self._one_edit[variant].append(entry)

    def match(self, plate: str, state: str = "") -> list[Match]:
        """All entries the normalised `plate` matches, each once with its strongest kind."""
        canonical = plate.translate(self._table)
        hits: list[tuple[Entry, MatchKind]] = []
        for entry in self._exact.get(plate, ()):
            hits.append((entry, MatchKind.EXACT))
        for entry in self._lookalike.get(canonical, ()):
            hits.append((entry, MatchKind.LOOKALIKE))
        for candidate in self._pattern_candidates(canonical):
            if candidate.regex.fullmatch(canonical):
                hits.append((candidate.entry, MatchKind.PARTIAL))
        if self._one_edit:
            for variant in (canonical, *_deletions(canonical)):
                for entry in self._one_edit.get(variant, ()):
                    if _within_one_edit(canonical, entry.plate.translate(self._table)):
                        hits.append((entry, MatchKind.FUZZY))
        if not hits:
            return []
        found: dict[int, MatchKind] = {}
        for entry, kind in hits:
            if entry.state and state and entry.state != state:
                continue
            current = found.get(entry.key)
            if current is None or _STRENGTH[kind] < _STRENGTH[current]:
                found[entry.key] = kind
        return [Match(key, kind) for key, kind in found.items()]

    def _pattern_candidates(self, canonical: str) -> list[_Pattern]:
        """Patterns whose indexed literal run occurs in the plate, plus the unindexed ones."""
        candidates = list(self._unindexed)
        by_run = self._by_run
        for length in self._run_lengths:
            for start in range(len(canonical) - length + 1):
                found = by_run.get(canonical[start : start + length])
                if found:
                    candidates.extend(found)
        return candidates


def _compile(pattern: str) -> re.Pattern[str]:
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts))


def plate_predicate(
    plate: str, *, lookalike: bool, lookalike_groups: tuple[str, ...] = DEFAULT_LOOKALIKE_GROUPS
) -> Callable[[str], bool]:
    """A test for normalised plates: equal to `plate` or matching it as a pattern, and with
    `lookalike` also through look-alike characters (the same rules as alerts use)."""
    if lookalike:
        matcher = Matcher([Entry(0, plate)], lookalike_groups)
        return lambda candidate: bool(matcher.match(candidate))
    regex = _compile(plate)
    return lambda candidate: regex.fullmatch(candidate) is not None


def _deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def _within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one substitution, insertion or deletion."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(len(longer)))

"""Purposes the software refuses whatever the configuration, and the words that betray them.

California law forbids some uses of ALPR data outright, so no administrator may enable them and
no user may slip them in under an allowed purpose code:

- immigration enforcement (Government Code §7284.6, the California Values Act);
- investigating reproductive health care that is lawful in California (Penal Code §13778.2);
- monitoring activity the First Amendment protects (protest, religion, press) unless it is tied
  to a specific crime (Policy 438.3, Civil Code §1798.90.51).

The word list is maintained here, in code, with the law each entry serves. Matching is
case-insensitive on whole words, except `ICE`, which matches only in capitals or in the phrases
"ICE hold"/"ICE detainer", so that "police", "device" or "Alice" never trip it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: The audit reason of every refusal for a prohibited purpose (reports and the public page
#: count refusals by it).
REASON = "prohibited purpose"


@dataclass(frozen=True)
class ProhibitedPurpose:
    """One forbidden purpose: its name, the law that forbids it, and the words that name it."""

    name: str
    law: str
    pattern: re.Pattern[str]

    def refusal(self, where: str, word: str) -> str:
        return f"{REASON}: {where} mentions {word!r} ({self.name} is forbidden by {self.law})"


def _words(*words: str) -> str:
    """Case-insensitive whole words (each may end in a regular-expression suffix)."""
    return r"(?i:\b(?:" + "|".join(words) + r")\b)"


PROHIBITED_PURPOSES: tuple[ProhibitedPurpose, ...] = (
    ProhibitedPurpose(
        "immigration enforcement",
        "Government Code §7284.6",
        re.compile(
            r"\bICE\b|"
            + _words(
                r"ice\s+(?:hold|detainer)s?",
                r"immigration",
                r"immigrants?",
                r"deport\w*",
                r"undocumented",
                r"illegal\s+aliens?",
                r"border\s+patrol",
                r"visa\s+overstay\w*",
                r"removal\s+order",
                r"287\(g\)",
            )
        ),
    ),
    ProhibitedPurpose(
        "investigation of reproductive health care lawful in California",
        "Penal Code §13778.2",
        re.compile(
            _words(
                r"abortions?",
                r"abortion\s+clinic",
                r"planned\s+parenthood",
                r"reproductive\s+health",
                r"pregnancy\s+termination",
                r"mifepristone",
                r"misoprostol",
            )
        ),
    ),
    ProhibitedPurpose(
        "monitoring of First Amendment activity (protest, religion, press) not tied to a "
        "specific crime",
        "the First Amendment and Policy 438.3",
        re.compile(
            _words(
                r"protest\w*",
                r"demonstrators?",
                r"rally",
                r"worship\w*",
                r"mosque",
                r"synagogue",
                r"religio\w*",
                r"journalists?",
                r"news\s+media",
                r"first\s+amendment",
            )
        ),
    ),
)


def find_prohibited(texts: Iterable[tuple[str, str]]) -> str | None:
    """The refusal (citing the law) for the first (field, text) naming a prohibited purpose,
    or None when none does."""
    for where, text in texts:
        if not text:
            continue
        for purpose in PROHIBITED_PURPOSES:
            match = purpose.pattern.search(text)
            if match:
                return purpose.refusal(where, match.group(0))
    return None


def purpose_definition_problem(code: str, label: str) -> str | None:
    """Why a purpose with this code and label may not be added or activated, or None.

    Codes are slugs ("immigration-check"), so their dashes and underscores read as spaces."""
    spaced = re.sub(r"[-_]+", " ", code)
    return find_prohibited([("code", spaced), ("label", label)])

"""Vehicle passes: reads of one plate over nearby frames, joined and voted. One implementation
for every caller (`video.group_reads`, the agent's `PassGrouper`, `platekeeper watch`).

A read joins an open pass of the same source when its text is one of the pass's texts or one
edit from it (`plates.similar_readings`). A pass closes when its plate has not been seen for
`max_gap_seconds`. Its text is voted: each candidate's confidence summed over the pass's
frames and divided by their number, so a character misread in one frame is outvoted by the
others and the voted confidences still sum to at most 1, like a single read's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from platekeeper.plates import similar_readings
from platekeeper.recognition.results import Candidate, PlateRead

#: Voted candidates kept per pass.
TOP_CANDIDATES = 10


@dataclass(frozen=True)
class Sighting:
    """One read of a pass in one frame, with whatever the caller keeps with its frame."""

    read: PlateRead
    index: int
    time_s: float
    #: The caller's data for this frame (the agent: its capture time and source key).
    context: Any = None


@dataclass
class TrackedPass:
    """A pass being tracked or just closed: its first, last and most confident sightings."""

    source: str
    first: Sighting
    last: Sighting
    best: Sighting
    #: The picture of the best frame (a copy), when the tracker keeps pictures.
    best_image: np.ndarray | None = None
    texts: set[str] = field(default_factory=set)
    votes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    frames: int = 0

    def candidates(self) -> tuple[Candidate, ...]:
        """The voted candidates, most confident first."""
        ranked = sorted(self.votes.items(), key=lambda item: -item[1])
        return tuple(
            Candidate(text=text, confidence=round(votes / self.frames, 4))
            for text, votes in ranked[:TOP_CANDIDATES]
        )

    def _add(self, sighting: Sighting, image: np.ndarray | None, keep_image: bool) -> None:
        read = sighting.read
        self.texts.add(read.text)
        self.frames += 1
        self.last = sighting
        for candidate in read.candidates:
            self.votes[candidate.text] += candidate.confidence
        if self.frames == 1 or read.confidence > self.best.read.confidence:
            self.best = sighting
            # Copy only when a frame becomes the best: one picture per open pass in memory.
            self.best_image = image.copy() if keep_image and image is not None else None


class PassTracker:
    """Feed it each frame's reads with `add`; it hands back the passes that have closed.

    `min_frames`: passes seen in fewer frames are dropped when they close. `keep_image`: keep
    a copy of each pass's best frame (the overview picture the agent uploads).
    """

    def __init__(
        self, *, max_gap_seconds: float = 1.5, min_frames: int = 1, keep_image: bool = False
    ) -> None:
        self.max_gap_seconds = max_gap_seconds
        self.min_frames = min_frames
        self.keep_image = keep_image
        self._open: list[TrackedPass] = []

    @property
    def open_passes(self) -> int:
        return len(self._open)

    def add(
        self,
        reads: list[PlateRead],
        *,
        index: int,
        time_s: float,
        source: str = "",
        context: Any = None,
        image: np.ndarray | None = None,
    ) -> list[TrackedPass]:
        """Add one frame's reads; return the passes that this frame's time has closed."""
        closed = self.close_before(time_s - self.max_gap_seconds, source=source)
        for read in reads:
            sighting = Sighting(read=read, index=index, time_s=time_s, context=context)
            tracked = next(
                (
                    p
                    for p in self._open
                    if p.source == source and any(similar_readings(read.text, t) for t in p.texts)
                ),
                None,
            )
            if tracked is None:
                tracked = TrackedPass(source=source, first=sighting, last=sighting, best=sighting)
                self._open.append(tracked)
            tracked._add(sighting, image, self.keep_image)
        return closed

    def close_before(self, time_s: float, *, source: str | None = None) -> list[TrackedPass]:
        """Close the passes (of `source`, or all) last seen before `time_s`."""
        return self._finish(
            [
                p
                for p in self._open
                if p.last.time_s < time_s and (source is None or p.source == source)
            ]
        )

    def flush(self, source: str | None = None) -> list[TrackedPass]:
        """Close every open pass (of `source`, or all): the source ended or the caller stops."""
        return self._finish([p for p in self._open if source is None or p.source == source])

    def _finish(self, passes: list[TrackedPass]) -> list[TrackedPass]:
        for tracked in passes:
            self._open.remove(tracked)
        return [p for p in passes if p.frames >= self.min_frames]

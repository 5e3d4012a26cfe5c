"""Frame-to-frame plate grouping as frames arrive: one read per vehicle pass, the best frame kept.

A plate seen in consecutive frames is one pass. A pass closes when its plate has not been seen
for `max_gap_seconds`; its text is voted over the frames (a character misread in one frame is
outvoted by the others) and it keeps the frame where the engine was most confident.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from platekeeper.agent.sources import Frame
from platekeeper.plates import similar_readings
from platekeeper.recognition import Candidate, PlateRead


@dataclass(frozen=True)
class Pass:
    """One vehicle pass: the voted plate, the best frame's read and picture."""

    text: str
    confidence: float
    candidates: tuple[Candidate, ...]
    best: PlateRead
    best_image: np.ndarray | None = field(compare=False, repr=False)
    captured_at: dt.datetime
    source: str
    #: Stable over a re-read of the same file: source key, first frame and first text.
    key: str
    frames: int
    #: When the vehicle was first and last read in this pass.
    first_seen: dt.datetime | None = None
    last_seen: dt.datetime | None = None


@dataclass
class _Open:
    first_index: int
    key: str
    source: str
    last_time_s: float
    texts: set[str] = field(default_factory=set)
    votes: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    frames: int = 0
    best: PlateRead | None = None
    best_image: np.ndarray | None = None
    best_at: dt.datetime | None = None
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None


class PassGrouper:
    """Feed it each frame's reads with `add`; it hands back the passes that have closed."""

    def __init__(
        self, *, max_gap_seconds: float = 1.5, min_frames: int = 1, keep_image: bool = True
    ) -> None:
        self.max_gap_seconds = max_gap_seconds
        self.min_frames = min_frames
        self.keep_image = keep_image
        self._open: list[_Open] = []

    @property
    def open_passes(self) -> int:
        return len(self._open)

    def add(
        self,
        reads: list[PlateRead],
        *,
        time_s: float,
        captured_at: dt.datetime,
        index: int,
        source: str,
        key: str,
        image: np.ndarray | None = None,
    ) -> list[Pass]:
        """Add one frame's reads; return the passes that this frame's time has closed."""
        closed = self.close_before(time_s - self.max_gap_seconds, source=source)
        for read in reads:
            group = next(
                (
                    g
                    for g in self._open
                    if g.source == source and any(similar_readings(read.text, t) for t in g.texts)
                ),
                None,
            )
            if group is None:
                group = _Open(
                    first_index=index,
                    key=f"{key}:{index}:{read.text}",
                    source=source,
                    last_time_s=time_s,
                )
                self._open.append(group)
            group.texts.add(read.text)
            group.frames += 1
            group.last_time_s = time_s
            group.first_at = group.first_at or captured_at
            group.last_at = captured_at
            for candidate in read.candidates:
                group.votes[candidate.text] += candidate.confidence
            if group.best is None or read.confidence > group.best.confidence:
                group.best = read
                group.best_at = captured_at
                # Copy only when a frame becomes the best: one frame per open pass in memory.
                group.best_image = image.copy() if self.keep_image and image is not None else None
        return closed

    def close_before(self, time_s: float, *, source: str | None = None) -> list[Pass]:
        """Close the passes (of `source`, or all) last seen before `time_s`."""
        done = [
            g
            for g in self._open
            if g.last_time_s < time_s and (source is None or g.source == source)
        ]
        return self._finish(done)

    def flush(self, source: str | None = None) -> list[Pass]:
        """Close every open pass (of `source`, or all): the source ended or the agent stops."""
        return self._finish([g for g in self._open if source is None or g.source == source])

    def _finish(self, groups: list[_Open]) -> list[Pass]:
        passes = []
        for group in groups:
            self._open.remove(group)
            if group.frames >= self.min_frames and group.best is not None:
                passes.append(_to_pass(group))
        return passes


def passes_for_frame(
    frame: Frame, reads: list[PlateRead], grouper: PassGrouper, *, keep_image: bool
) -> list[Pass]:
    """The passes one read frame completes: each plate of a still image at once (a dropped
    photo is its own capture), or for video the passes this frame's time closes."""
    if frame.still:
        seen: set[str] = set()
        passes = []
        for read in reads:
            if read.text not in seen:
                seen.add(read.text)
                passes.append(
                    single(
                        read,
                        captured_at=frame.captured_at,
                        source=frame.source,
                        key=f"{frame.key}:{read.text}",
                        image=frame.image if keep_image else None,
                    )
                )
        return passes
    return grouper.add(
        reads,
        time_s=frame.time_s,
        captured_at=frame.captured_at,
        index=frame.index,
        source=frame.source,
        key=frame.key,
        image=frame.image,
    )


def single(read: PlateRead, *, captured_at: dt.datetime, source: str, key: str, image) -> Pass:
    """A pass of one still image (a dropped photo is its own capture)."""
    return Pass(
        text=read.text,
        confidence=read.confidence,
        candidates=read.candidates,
        best=read,
        best_image=image,
        captured_at=captured_at,
        source=source,
        key=key,
        frames=1,
        first_seen=captured_at,
        last_seen=captured_at,
    )


def _to_pass(group: _Open) -> Pass:
    assert group.best is not None  # noqa: S101 - set with the first read
    assert group.best_at is not None  # noqa: S101 - set with best
    ranked = sorted(group.votes.items(), key=lambda item: -item[1])
    # Mean confidence over the pass's frames: sums to at most 1, like a single read's.
    candidates = tuple(
        Candidate(text=text, confidence=round(votes / group.frames, 4))
        for text, votes in ranked[:10]
    )
    return Pass(
        text=candidates[0].text,
        confidence=candidates[0].confidence,
        candidates=candidates,
        best=group.best,
        best_image=group.best_image,
        captured_at=group.best_at,
        source=group.source,
        key=group.key,
        frames=group.frames,
        first_seen=group.first_at,
        last_seen=group.last_at,
    )

"""Frame-to-frame plate grouping as frames arrive: one read per vehicle pass, the best frame kept.

A plate seen in consecutive frames is one pass. A pass closes when its plate has not been seen
for `max_gap_seconds`; its text is voted over the frames (a character misread in one frame is
outvoted by the others) and it keeps the frame where the engine was most confident. The rule is
recognition's `PassTracker`, shared with `recognition.video.group_reads`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from platekeeper.agent.sources import Frame
from platekeeper.recognition import Candidate, PlateRead
from platekeeper.recognition.passes import PassTracker, TrackedPass


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


class PassGrouper:
    """Feed it each frame's reads with `add`; it hands back the passes that have closed.

    The grouping itself is recognition's `PassTracker` (the same as `video.group_reads`); this
    adds what the agent keeps per pass: capture times and a key stable over a re-read.
    """

    def __init__(
        self, *, max_gap_seconds: float = 1.5, min_frames: int = 1, keep_image: bool = True
    ) -> None:
        self._tracker = PassTracker(
            max_gap_seconds=max_gap_seconds, min_frames=min_frames, keep_image=keep_image
        )

    @property
    def open_passes(self) -> int:
        return self._tracker.open_passes

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
        closed = self._tracker.add(
            reads,
            index=index,
            time_s=time_s,
            source=source,
            context=_FrameContext(captured_at=captured_at, key=key),
            image=image,
        )
        return [_to_pass(tracked) for tracked in closed]

    def close_before(self, time_s: float, *, source: str | None = None) -> list[Pass]:
        """Close the passes (of `source`, or all) last seen before `time_s`."""
        return [_to_pass(t) for t in self._tracker.close_before(time_s, source=source)]

    def flush(self, source: str | None = None) -> list[Pass]:
        """Close every open pass (of `source`, or all): the source ended or the agent stops."""
        return [_to_pass(t) for t in self._tracker.flush(source)]


@dataclass(frozen=True)
class _FrameContext:
    captured_at: dt.datetime
    key: str


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


def _to_pass(tracked: TrackedPass) -> Pass:
    candidates = tracked.candidates()
    first, last, best = tracked.first, tracked.last, tracked.best
    return Pass(
        text=candidates[0].text,
        confidence=candidates[0].confidence,
        candidates=candidates,
        best=best.read,
        best_image=tracked.best_image,
        captured_at=best.context.captured_at,
        source=tracked.source,
        key=f"{first.context.key}:{first.index}:{first.read.text}",
        frames=tracked.frames,
        first_seen=first.context.captured_at,
        last_seen=last.context.captured_at,
    )

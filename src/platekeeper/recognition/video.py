"""Video input and plate grouping: frames from a file or stream, one read per vehicle pass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from pathlib import Path

import numpy as np

from platekeeper.recognition.passes import PassTracker, TrackedPass
from platekeeper.recognition.results import FrameRead, PlateGroup


class MotionGate:
    """Tells idle frames apart cheaply, so an empty scene costs one thumbnail per frame.

    A frame whose 64-pixel-wide grey thumbnail differs from the last frame let through by less
    than `threshold` grey levels on average is idle. A threshold of 0 lets every frame through.
    """

    def __init__(self, threshold: float = 1.5) -> None:
        self.threshold = threshold
        self._previous: np.ndarray | None = None

    def idle(self, frame: np.ndarray) -> bool:
        """True when nothing moved since the last frame this gate let through."""
        if self.threshold <= 0:
            return False
        import cv2  # heavy; imported when first used

        height = max(1, frame.shape[0] * 64 // max(1, frame.shape[1]))
        thumb = cv2.resize(
            cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), (64, height), interpolation=cv2.INTER_AREA
        ).astype(np.float32)
        if (
            self._previous is not None
            and float(np.abs(thumb - self._previous).mean()) < self.threshold
        ):
            return True
        self._previous = thumb
        return False


def iter_frames(
    source: str | Path, *, every_n_frames: int = 3, max_frames: int | None = None
) -> Iterator[tuple[int, float, np.ndarray]]:
    """Yield (frame index, time in seconds, BGR frame) for every `every_n_frames`-th frame.

    `source` is a video file or anything OpenCV opens (an RTSP/HTTP URL). Time comes from the
    container's position, or from the frame rate when the container gives none.
    """
    import cv2  # heavy; imported when first used

    if every_n_frames < 1:
        raise ValueError(f"every_n_frames must be at least 1, got {every_n_frames}")
    is_file = str(source).split(":", 1)[0] not in ("rtsp", "http", "https")
    if is_file and not Path(source).is_file():
        raise FileNotFoundError(f"no such video: {source}")
    capture = cv2.VideoCapture(str(source))
    if not capture.isOpened():
        raise ValueError(f"cannot open video: {source}")
    fps = capture.get(cv2.CAP_PROP_FPS) or 0.0
    index = -1
    yielded = 0
    try:
        while True:
            # grab() without retrieve() skips decoding the frames we do not read.
            if not capture.grab():
                break
            index += 1
            if index % every_n_frames:
                continue
            ok, frame = capture.retrieve()
            if not ok:
                break
            position = capture.get(cv2.CAP_PROP_POS_MSEC) / 1000.0
            time_s = position if position > 0 or index == 0 else (index / fps if fps else 0.0)
            yield index, round(time_s, 3), frame
            yielded += 1
            if max_frames is not None and yielded >= max_frames:
                break
    finally:
        capture.release()


def group_reads(reads: Iterable[FrameRead], *, max_gap_seconds: float = 1.5) -> list[PlateGroup]:
    """Group reads of the same plate over nearby frames and vote on the text (`passes.py`).

    A pass closes when its plate has not been seen for `max_gap_seconds` of video time. Groups
    come in the order their plates were first seen.
    """
    tracker = PassTracker(max_gap_seconds=max_gap_seconds)
    closed: list[TrackedPass] = []
    ordered = sorted(reads, key=lambda r: r.frame_index)
    for _, frame_reads in groupby(ordered, key=lambda r: r.frame_index):
        in_frame = list(frame_reads)
        first = in_frame[0]
        closed += tracker.add(
            [r.read for r in in_frame], index=first.frame_index, time_s=first.time_s
        )
    closed += tracker.flush()
    groups = [_to_group(tracked) for tracked in closed]
    groups.sort(key=lambda g: g.first_frame)
    return groups


def _to_group(tracked: TrackedPass) -> PlateGroup:
    candidates = tracked.candidates()
    best = tracked.best
    return PlateGroup(
        text=candidates[0].text,
        confidence=candidates[0].confidence,
        candidates=candidates,
        first_frame=tracked.first.index,
        last_frame=tracked.last.index,
        first_time_s=tracked.first.time_s,
        last_time_s=tracked.last.time_s,
        best=FrameRead(frame_index=best.index, time_s=best.time_s, read=best.read),
        frames=tracked.frames,
    )

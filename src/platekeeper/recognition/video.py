"""Video input and plate grouping: frames from a file or stream, one read per vehicle pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from platekeeper.plates import similar_readings
from platekeeper.recognition.results import Candidate, FrameRead, PlateGroup


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


def group_reads(reads: Iterable[FrameRead], *, max_gap_frames: int = 15) -> list[PlateGroup]:
    """Group reads of the same plate over nearby frames and vote on the text.

    Reads join an open group when their text (or any of the group's texts) is within one edit
    and the group was last seen at most `max_gap_frames` frames before. Each group's text is
    the candidate with the highest confidence summed over its frames: a character misread in
    one frame is outvoted by the others.
    """
    open_groups: list[dict] = []
    done: list[dict] = []
    for frame_read in sorted(reads, key=lambda r: r.frame_index):
        for group in list(open_groups):
            if frame_read.frame_index - group["last"].frame_index > max_gap_frames:
                open_groups.remove(group)
                done.append(group)
        text = frame_read.read.text
        target = next(
            (g for g in open_groups if any(similar_readings(text, seen) for seen in g["texts"])),
            None,
        )
        if target is None:
            target = {"reads": [], "texts": set(), "last": frame_read}
            open_groups.append(target)
        target["reads"].append(frame_read)
        target["texts"].add(text)
        target["last"] = frame_read
    done.extend(open_groups)
    groups = [_to_group(g["reads"]) for g in done]
    groups.sort(key=lambda g: g.first_frame)
    return groups


def _to_group(reads: list[FrameRead]) -> PlateGroup:
    votes: dict[str, float] = defaultdict(float)
    for frame_read in reads:
        for candidate in frame_read.read.candidates:
            votes[candidate.text] += candidate.confidence
    # Mean confidence over the group's frames: sums to at most 1, like a single read's.
    total = len(reads)
    ranked = sorted(votes.items(), key=lambda item: -item[1])
    candidates = tuple(Candidate(text=t, confidence=round(v / total, 4)) for t, v in ranked[:10])
    best = max(reads, key=lambda r: r.read.confidence)
    return PlateGroup(
        text=candidates[0].text,
        confidence=candidates[0].confidence,
        candidates=candidates,
        first_frame=reads[0].frame_index,
        last_frame=reads[-1].frame_index,
        first_time_s=reads[0].time_s,
        last_time_s=reads[-1].time_s,
        best=best,
        frames=len(reads),
    )

"""Where frames come from: a video file, an RTSP/HTTP stream, a local camera, an image drop folder.

Every source yields `Frame`s and never raises for one bad frame or file: it logs it and goes on.
A frame's `key` names what it came from so that reading the same file again gives the same read
ids (a restarted agent then resends instead of duplicating).
"""

from __future__ import annotations

import abc
import datetime as dt
import hashlib
import logging
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from platekeeper.agent.config import SourceConfig

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})


@dataclass(frozen=True)
class Frame:
    """One picture to read. `time_s` orders frames of a source; `key` identifies its origin."""

    image: np.ndarray
    captured_at: dt.datetime
    time_s: float
    index: int
    source: str
    key: str
    #: A still image stands alone: its reads are not grouped with other frames.
    still: bool = False
    #: Called once the frame's reads are safely in the outbox (the drop folder moves the file).
    done: Callable[[], None] | None = None


class Source(abc.ABC):
    """A source of frames. `frames` MUST stop promptly once `stop` is set."""

    def __init__(self, config: SourceConfig, name: str, clock: Callable[[], dt.datetime]) -> None:
        self.config = config
        self.name = name
        self.clock = clock

    @abc.abstractmethod
    def frames(self, stop: threading.Event) -> Iterator[Frame]:
        """Yield frames until the source ends (a file) or `stop` is set."""


class VideoFileSource(Source):
    """Every `every_n_frames`-th frame of a file, timed from the start plus the position."""

    def frames(self, stop: threading.Event) -> Iterator[Frame]:
        import cv2  # heavy; imported when first used

        path = Path(self.config.path)
        while not stop.is_set():
            if not path.is_file():
                logger.error("source %s: no such video file %s", self.name, path)
                return
            stat = path.stat()
            key = f"video:{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"
            capture = cv2.VideoCapture(str(path))
            if not capture.isOpened():
                logger.error("source %s: cannot open video %s", self.name, path)
                return
            try:
                yield from self._read(capture, key, stop)
            finally:
                capture.release()
            if not self.config.loop:
                return

    def _read(self, capture, key: str, stop: threading.Event) -> Iterator[Frame]:
        import cv2

        fps = capture.get(cv2.CAP_PROP_FPS) or 25.0
        started = self.clock()
        started_monotonic = time.monotonic()
        index = -1
        every = self.config.every_n_frames
        while not stop.is_set():
            if not capture.grab():
                return
            index += 1
            if index % every:
                continue
            ok, image = capture.retrieve()
            if not ok or image is None:
                logger.warning("source %s: frame %d undecodable, skipped", self.name, index)
                continue
            time_s = index / fps
            if self.config.realtime:
                # Play at the file's own speed, as a camera would deliver it.
                delay = started_monotonic + time_s - time.monotonic()
                if delay > 0 and stop.wait(delay):
                    return
            yield Frame(
                image=image,
                captured_at=started + dt.timedelta(seconds=time_s),
                time_s=time_s,
                index=index,
                source=self.name,
                key=key,
            )


class StreamSource(Source):
    """An RTSP/HTTP stream or a local camera device, reconnecting after a pause when it drops."""

    def frames(self, stop: threading.Event) -> Iterator[Frame]:
        import cv2  # heavy; imported when first used

        target: str | int = self.config.url if self.config.kind == "stream" else self.config.device
        while not stop.is_set():
            capture = cv2.VideoCapture(target)
            if not capture.isOpened():
                logger.warning(
                    "source %s: cannot open %s; retrying in %.0f s",
                    self.name,
                    _redact(target),
                    self.config.reconnect_seconds,
                )
                stop.wait(self.config.reconnect_seconds)
                continue
            # A live stream cannot be read twice, so each connection gets fresh ids.
            key = f"{self.config.kind}:{uuid.uuid4()}"
            started = time.monotonic()
            index = -1
            try:
                while not stop.is_set():
                    if not capture.grab():
                        logger.warning("source %s: stream ended; reconnecting", self.name)
                        break
                    index += 1
                    if index % self.config.every_n_frames:
                        continue
                    ok, image = capture.retrieve()
                    if not ok or image is None:
                        logger.warning("source %s: undecodable frame skipped", self.name)
                        continue
                    yield Frame(
                        image=image,
                        captured_at=self.clock(),
                        time_s=time.monotonic() - started,
                        index=index,
                        source=self.name,
                        key=key,
                    )
            finally:
                capture.release()
            stop.wait(self.config.reconnect_seconds)


class FolderSource(Source):
    """Images dropped into a folder, oldest first; each moves to `processed/` once its reads are
    in the outbox, or to `failed/` when it cannot be decoded."""

    def frames(self, stop: threading.Event) -> Iterator[Frame]:
        folder = Path(self.config.path)
        processed, failed = folder / "processed", folder / "failed"
        index = 0
        sizes: dict[Path, int] = {}
        missing = False
        while not stop.is_set():
            # A folder on a share can go away (unmounted, recreated) and come back: wait for
            # it, with one line when it goes and one when it is back, rather than stop watching.
            try:
                for needed in (folder, processed, failed):
                    needed.mkdir(parents=True, exist_ok=True)
                ready = self._ready(folder, sizes)
            except OSError as error:
                if not missing:
                    logger.error("source %s: cannot list %s (%s)", self.name, folder, error)
                missing = True
                stop.wait(self.config.poll_seconds)
                continue
            if missing:
                logger.info("source %s: %s is back", self.name, folder)
                missing = False
            for path in ready:
                if stop.is_set():
                    return
                frame = self._load(path, index, processed, failed)
                index += 1
                if frame is not None:
                    yield frame
            if not ready:
                stop.wait(self.config.poll_seconds)

    def _ready(self, folder: Path, sizes: dict[Path, int]) -> list[Path]:
        """Images whose size has not changed since the last look (so their writer is done), and
        that are not empty."""
        found: list[tuple[float, Path]] = []
        current: dict[Path, int] = {}
        for path in folder.iterdir():
            if path.suffix.lower() not in IMAGE_SUFFIXES or not path.is_file():
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            current[path] = stat.st_size
            # An empty file is one whose writer has not begun (uploaders create it first).
            if stat.st_size and sizes.get(path) == stat.st_size:
                found.append((stat.st_mtime, path))
        sizes.clear()
        sizes.update(current)
        return [path for _, path in sorted(found)]

    def _load(self, path: Path, index: int, processed: Path, failed: Path) -> Frame | None:
        from platekeeper.recognition.engine import decode_image

        try:
            data = path.read_bytes()
            stat = path.stat()
        except OSError as error:
            logger.warning("source %s: cannot read %s (%s), skipped", self.name, path.name, error)
            return None
        image = decode_image(data)
        if image is None:
            logger.error("source %s: %s is not a readable image; moved to failed/", self.name, path)
            _move(path, failed)
            return None
        return Frame(
            image=image,
            captured_at=dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC),
            time_s=float(index),
            index=index,
            source=self.name,
            key=f"image:{hashlib.sha256(data).hexdigest()}",
            still=True,
            done=lambda: _move(path, processed),
        )


def _move(path: Path, folder: Path) -> None:
    try:
        shutil.move(str(path), str(folder / path.name))
    except OSError as error:
        logger.error("cannot move %s to %s: %s", path, folder, error)


def _redact(target: str | int) -> str:
    """A stream URL without its password, for logs."""
    text = str(target)
    if "@" in text and "://" in text:
        scheme, rest = text.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return text


def open_source(config: SourceConfig, name: str, clock: Callable[[], dt.datetime]) -> Source:
    """The source for a `[[source]]` table."""
    kinds: dict[str, type[Source]] = {
        "video": VideoFileSource,
        "stream": StreamSource,
        "device": StreamSource,
        "folder": FolderSource,
    }
    return kinds[config.kind](config, name, clock)

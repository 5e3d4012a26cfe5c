"""The agent's run loop: one recognition thread per source, an uploader, and housekeeping.

Order of events for every read: recognised, grouped into a pass, written to the outbox (the
image files, then the row), matched against the local hotlists (a hit is announced at once),
and only then uploaded by the uploader thread, which deletes it when the server confirms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from platekeeper import __version__
from platekeeper.agent.config import AgentConfig, ConfigError
from platekeeper.agent.grouping import Pass, PassGrouper, passes_for_frame
from platekeeper.agent.heartbeat import Health, send_heartbeat
from platekeeper.agent.hotlist_cache import AlertAnnouncer, HotlistCache
from platekeeper.agent.location import Location, open_location
from platekeeper.agent.outbox import Outbox
from platekeeper.agent.sources import Frame, Source, open_source
from platekeeper.agent.uploader import Backoff, Uploader, make_client
from platekeeper.plates import InvalidPlate, normalize_plate

logger = logging.getLogger("platekeeper.agent")

#: Read ids are UUIDv5 of where the read came from, so reading the same file twice (an agent
#: restarted before it finished) gives the same ids and the server counts a duplicate.
READ_NAMESPACE = uuid.UUID("5f0d3c1e-8a4b-4f8e-9d61-2b7a6c9e4d10")


def build_engine(config: AgentConfig) -> Any:
    """A recognition engine by the configured name, after importing any plugin modules."""
    from platekeeper.recognition import available_engines, get_engine

    recognition = config.recognition
    for module in recognition.plugins:
        try:
            importlib.import_module(module)
        except ImportError as error:
            raise ConfigError(f"recognition.plugins: cannot import {module!r}: {error}") from None
    if recognition.engine not in available_engines():
        raise ConfigError(
            f"recognition.engine: unknown engine {recognition.engine!r}; "
            f"available: {', '.join(available_engines())}"
        )
    return get_engine(
        recognition.engine,
        country=recognition.country,
        threads=recognition.threads,
        top_n=recognition.top_n,
        **recognition.options,
    )


class Pipeline:
    """From frames to queued reads: recognition, grouping, outbox, local hotlist alerts."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        outbox: Outbox,
        hotlists: HotlistCache | None,
        announcer: AlertAnnouncer | None,
        location: Location,
        health: Health,
    ) -> None:
        self.config = config
        self.outbox = outbox
        self.hotlists = hotlists
        self.announcer = announcer
        self.location = location
        self.health = health

    def run_source(self, source: Source, engine: Any, stop: threading.Event) -> None:
        """Read every frame of one source until it ends or `stop` is set."""
        grouping = self.config.grouping
        grouper = PassGrouper(
            max_gap_seconds=grouping.max_gap_seconds,
            min_frames=grouping.min_frames,
            keep_image=grouping.overview,
        )
        for frame in source.frames(stop):
            self.process(frame, engine, grouper)
        # The source ended or we are stopping: what was seen so far is still a pass.
        for finished in grouper.flush():
            self.queue(finished)

    def process(self, frame: Frame, engine: Any, grouper: PassGrouper) -> None:
        """Read one frame; queue the passes it closes (or its own reads, for a still image)."""
        try:
            reads = engine.read_frame(frame.image)
        except Exception:  # a broken frame must not stop the camera
            logger.exception("source %s: frame %d could not be read", frame.source, frame.index)
            self.health.error(f"recognition failed on a frame of {frame.source}")
            return
        self.health.frame_read()
        minimum = self.config.recognition.min_confidence
        reads = [read for read in reads if read.confidence >= minimum]
        for finished in passes_for_frame(
            frame, reads, grouper, keep_image=self.config.grouping.overview
        ):
            self.queue(finished)
        if frame.done is not None:
            frame.done()

    def queue(self, found: Pass) -> None:
        """Write one pass to the outbox, then announce any local hotlist hit."""
        try:
            plate = normalize_plate(found.text)
        except InvalidPlate as error:
            logger.info("ignored an implausible plate %r: %s", found.text, error)
            return
        read_id = str(uuid.uuid5(READ_NAMESPACE, found.key))
        item = self._item(read_id, plate, found)
        images = self._images(found)
        if not self.outbox.add(item, images):
            logger.debug("read %s is already queued", read_id)
            return
        self.health.read_queued()
        logger.info(
            "queued %s from %s (%.2f, %d frames)",
            plate,
            found.source,
            found.confidence,
            found.frames,
        )
        if self.hotlists is not None and self.announcer is not None:
            for hit in self.hotlists.match(read_id, plate, "", found.captured_at):
                self.announcer.announce(hit)

    def _item(self, read_id: str, plate: str, found: Pass) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": read_id,
            "plate": plate,
            "captured_at": found.captured_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "confidence": round(min(max(found.confidence, 0.0), 1.0), 4),
        }
        candidates = []
        for candidate in found.candidates[:20]:
            try:
                candidates.append(
                    {
                        "plate": normalize_plate(candidate.text),
                        "confidence": round(min(max(candidate.confidence, 0.0), 1.0), 4),
                    }
                )
            except InvalidPlate:
                continue
        if candidates:
            item["candidates"] = candidates
        fix = self.location.current()
        if fix is not None:
            item["latitude"], item["longitude"] = fix.latitude, fix.longitude
            if fix.heading is not None:
                item["heading"] = fix.heading % 360
            if fix.speed_kmh is not None:
                item["speed_kmh"] = min(fix.speed_kmh, 400.0)
        box = found.best.box
        if box is not None and box.width >= 1 and box.height >= 1:
            item["plate_box"] = {
                "x": max(0, int(box.x)),
                "y": max(0, int(box.y)),
                "width": int(box.width),
                "height": int(box.height),
            }
        return item

    def _images(self, found: Pass) -> dict[str, bytes]:
        grouping = self.config.grouping
        images = {}
        crop = _jpeg(found.best.crop, grouping.jpeg_quality)
        if crop:
            images["plate_crop"] = crop
        if grouping.overview and found.best_image is not None:
            overview = _jpeg(
                _shrink(found.best_image, grouping.overview_max_width), grouping.jpeg_quality
            )
            if overview:
                images["overview"] = overview
        return images


def _jpeg(image: Any, quality: int) -> bytes | None:
    if image is None or not isinstance(image, np.ndarray) or image.size == 0:
        return None
    import cv2

    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return encoded.tobytes() if ok else None


def _shrink(image: np.ndarray, max_width: int) -> np.ndarray:
    height, width = image.shape[:2]
    if width <= max_width:
        return image
    import cv2

    scale = max_width / width
    return cv2.resize(image, (max_width, int(height * scale)), interpolation=cv2.INTER_AREA)


class Agent:
    """Everything the agent runs, built from a configuration; `run` blocks until stopped."""

    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self.stop = threading.Event()
        offset = dt.timedelta(seconds=config.clock_offset_seconds)
        self.clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC) + offset
        self.token = config.device_token()
        outbox_path = config.resolve(config.outbox.path)
        outbox_path.parent.mkdir(parents=True, exist_ok=True)
        self.outbox = Outbox(outbox_path, max_bytes=int(config.outbox.max_disk_mb * 1_000_000))
        self.health = Health()
        self.hotlists: HotlistCache | None = None
        self.announcer: AlertAnnouncer | None = None
        if config.hotlists.enabled:
            self.hotlists = HotlistCache(config.resolve(config.hotlists.path), self._client())
            self.hotlists.load()
            self.announcer = AlertAnnouncer(
                config.resolve(config.hotlists.alerts_path),
                bell=config.hotlists.bell,
                command=config.hotlists.command,
            )
        self.location = open_location(config.location)
        self.pipeline = Pipeline(
            config,
            outbox=self.outbox,
            hotlists=self.hotlists,
            announcer=self.announcer,
            location=self.location,
            health=self.health,
        )
        self.uploader = Uploader(
            self.outbox,
            self._client(),
            batch_size=config.upload.batch_size,
            interval_seconds=config.upload.interval_seconds,
            backoff=Backoff(
                config.upload.backoff_initial_seconds, config.upload.backoff_max_seconds
            ),
            on_error=self.health.error,
        )

    def _client(self):
        return make_client(
            self.config.server.url,
            self.token,
            timeout=self.config.server.timeout_seconds,
            user_agent=f"platekeeper-agent/{__version__}",
        )

    def sources(self) -> list[Source]:
        made = []
        for i, source in enumerate(self.config.sources):
            if source.kind in ("video", "folder"):
                source = dataclasses.replace(source, path=str(self.config.resolve(source.path)))
            made.append(open_source(source, source.name or f"{source.kind}{i}", self.clock))
        return made

    def run(self, *, exit_when_done: bool = False) -> int:
        """Run until stopped (SIGTERM/SIGINT), or with `exit_when_done` until every source has
        ended and the outbox is empty. Returns the exit status."""
        engine_for = [build_engine(self.config) for _ in self.config.sources]
        self.location.start(self.stop)
        readers = [
            threading.Thread(
                target=self._run_source, args=(source, engine), name=f"source-{source.name}"
            )
            for source, engine in zip(self.sources(), engine_for, strict=True)
        ]
        workers = [
            threading.Thread(target=self.uploader.run, args=(self.stop,), name="uploader"),
            threading.Thread(target=self._housekeeping, name="housekeeping", daemon=True),
        ]
        logger.info(
            "platekeeper agent %s: %d source(s), engine %r, server %s, %d reads queued",
            __version__,
            len(readers),
            self.config.recognition.engine,
            self.config.server.url,
            self.outbox.depth(),
        )
        for thread in readers + workers:
            thread.start()
        try:
            while not self.stop.wait(0.2):
                sources_ended = not any(t.is_alive() for t in readers)
                if exit_when_done and sources_ended and self.outbox.depth() == 0:
                    logger.info("every source ended and every read is uploaded; exiting")
                    break
        finally:
            self.stop.set()
            for thread in readers + workers[:1]:
                thread.join(timeout=30)
            self.outbox.close()
        return 0

    def _run_source(self, source: Source, engine: Any) -> None:
        try:
            self.pipeline.run_source(source, engine, self.stop)
        except Exception:  # one broken source must not take the others down
            logger.exception("source %s failed", source.name)
            self.health.error(f"source {source.name} failed")
        logger.info("source %s ended", source.name)

    def _housekeeping(self) -> None:
        """Hotlist sync and heartbeats on their own intervals, failures logged and retried."""
        client = self._client()
        next_sync = next_beat = 0.0
        while not self.stop.is_set():
            now = time.monotonic()
            if self.hotlists is not None and now >= next_sync:
                try:
                    self.hotlists.sync()
                    next_sync = now + self.config.hotlists.sync_seconds
                except Exception as error:  # offline is normal; keep the old copy
                    logger.info("hotlist sync failed (%s); keeping the local copy", error)
                    next_sync = now + min(60.0, self.config.hotlists.sync_seconds)
            if now >= next_beat:
                try:
                    send_heartbeat(client, self.outbox, self.health, self.clock)
                except Exception as error:  # offline is normal; the next one will tell
                    logger.debug("heartbeat failed: %s", error)
                next_beat = now + self.config.heartbeat.interval_seconds
            due = min(next_sync, next_beat) if self.hotlists is not None else next_beat
            self.stop.wait(max(0.05, due - time.monotonic()))


def run_agent(config: AgentConfig, *, exit_when_done: bool = False) -> int:
    """Build the agent, stop it cleanly on SIGTERM/SIGINT, and run it."""
    agent = Agent(config)

    def _stop(signum: int, _frame: object) -> None:
        logger.info("signal %d: stopping (queued reads stay in the outbox)", signum)
        agent.stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    return agent.run(exit_when_done=exit_when_done)

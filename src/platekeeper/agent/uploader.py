"""Sending the outbox to `POST /api/v1/reads`: batches, backoff with jitter, exactly once.

A read leaves the outbox only when the server's answer accounts for it: stored, a duplicate of
one already stored (a resend after a lost answer), or rejected by index with a reason (kept
aside, never resent). Anything else (no connection, a timeout, a 5xx, a refused token) leaves the
batch queued and waits longer before the next try. The read's UUID makes every resend safe.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from platekeeper.agent.outbox import Outbox, QueuedRead

logger = logging.getLogger(__name__)

#: Django refuses a multipart request with more files than this (DATA_UPLOAD_MAX_NUMBER_FILES),
#: so a batch with images is cut to fit.
MAX_FILES_PER_REQUEST = 100


class UploadError(Exception):
    """A batch did not get through; the message says why (for the heartbeat's last error)."""


class Backoff:
    """Exponential backoff with jitter: each failure doubles the ceiling up to `maximum`, and the
    wait is drawn from its upper half so that many agents coming back do not retry in step."""

    def __init__(self, initial: float, maximum: float, rng: random.Random | None = None) -> None:
        self.initial, self.maximum = initial, maximum
        self.failures = 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * 2**self.failures)
        self.failures += 1
        return ceiling * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.failures = 0


@dataclass(frozen=True)
class BatchResult:
    confirmed: int
    rejected: int
    stored: int
    duplicates: int
    server_alerts: int


class Uploader:
    """Moves reads from the outbox to the server, one batch at a time."""

    def __init__(
        self,
        outbox: Outbox,
        client: httpx.Client,
        *,
        batch_size: int = 100,
        interval_seconds: float = 1.0,
        backoff: Backoff | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.batch_size = batch_size
        self.interval_seconds = interval_seconds
        self.backoff = backoff or Backoff(1.0, 300.0)
        self.on_error = on_error or (lambda message: None)
        self.sent = 0
        self._size = batch_size

    def run(self, stop: threading.Event) -> None:
        """Upload until `stop` is set; the outbox is the only state, so stopping is always safe."""
        while not stop.is_set():
            try:
                result = self.upload_once()
            except UploadError as error:
                delay = self.backoff.next_delay()
                logger.warning("upload failed: %s; next try in %.1f s", error, delay)
                self.on_error(str(error))
                stop.wait(delay)
                continue
            self.backoff.reset()
            if result is None:
                stop.wait(self.interval_seconds)

    def upload_once(self) -> BatchResult | None:
        """Send the oldest batch. None when the outbox is empty; raises `UploadError`."""
        batch = _fit_files(self.outbox.next_batch(self._size))
        if not batch:
            return None
        try:
            response = self._post(batch)
        except httpx.HTTPError as error:
            raise UploadError(f"{type(error).__name__}: {error or 'no answer'}") from None
        if response.status_code in (400, 413) and len(batch) > 1:
            # One item or the size spoils the whole body: halve until it is found.
            self._size = max(1, len(batch) // 2)
            raise UploadError(f"server refused the batch ({response.status_code}); halving it")
        if response.status_code == 400:
            self.outbox.reject(batch[0].id, _detail(response))
            return BatchResult(0, 1, 0, 0, 0)
        if response.status_code == 401:
            raise UploadError("the server refused the device token (401); check server.token")
        if response.status_code != 200:
            raise UploadError(f"server answered {response.status_code}: {_detail(response)}")
        try:
            answer = response.json()
            rejected = {int(r["index"]): str(r["reason"]) for r in answer["rejected"]}
            stored, duplicates = int(answer["stored"]), int(answer["duplicates"])
        except (ValueError, KeyError, TypeError) as error:
            raise UploadError(f"unexpected answer from the server: {error}") from None
        if stored + duplicates + len(rejected) != len(batch):
            raise UploadError(
                f"the server accounted for {stored + duplicates + len(rejected)} of "
                f"{len(batch)} reads; keeping them queued"
            )
        for index, reason in rejected.items():
            self.outbox.reject(batch[index].id, reason)
        confirmed = [read.id for i, read in enumerate(batch) if i not in rejected]
        self.outbox.confirm(confirmed)
        self.sent += len(confirmed)
        self._size = self.batch_size
        alerts = answer.get("alerts") or []
        for alert in alerts:
            logger.info(
                "server recorded alert %s: %s on %s",
                alert.get("id"),
                alert.get("plate"),
                alert.get("hotlist"),
            )
        logger.info("uploaded %d reads (%d new, %d already stored)", len(batch), stored, duplicates)
        return BatchResult(len(confirmed), len(rejected), stored, duplicates, len(alerts))

    def _post(self, batch: list[QueuedRead]) -> httpx.Response:
        items, files = [], {}
        for position, read in enumerate(batch):
            item = dict(read.item)
            for field, path in read.images.items():
                try:
                    data = path.read_bytes()
                except OSError:
                    continue  # evicted between listing and sending: send the read without it
                part = f"{field}{position}"
                item[f"{field}_file"] = part
                files[part] = (path.name, data, "image/jpeg")
            items.append(item)
        body = json.dumps({"reads": items}, separators=(",", ":"))
        if not files:
            return self.client.post(
                "/api/v1/reads", content=body, headers={"Content-Type": "application/json"}
            )
        return self.client.post("/api/v1/reads", data={"batch": body}, files=files)


def _fit_files(batch: list[QueuedRead]) -> list[QueuedRead]:
    files = 0
    for position, read in enumerate(batch):
        files += len(read.images)
        if files > MAX_FILES_PER_REQUEST:
            return batch[:position]
    return batch


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text[:200]))
    except ValueError:
        return response.text[:200] or response.reason_phrase


def make_client(base_url: str, token: str, *, timeout: float, user_agent: str) -> httpx.Client:
    """An HTTP client for one part of the agent (each thread gets its own)."""
    return httpx.Client(
        base_url=base_url.rstrip("/"),
        headers={"Authorization": f"Bearer {token}", "User-Agent": user_agent},
        timeout=timeout,
    )


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.05) -> bool:
    """Poll `predicate` until true or `timeout` seconds pass (for draining at shutdown)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()

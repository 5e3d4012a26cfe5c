"""The durable outbox: every read is on disk before anything else happens to it.

One SQLite file in WAL mode with `synchronous=FULL` holds the reads; their images are files
beside it, written (and fsynced) before the row that names them, so no row points at a missing
file and a file without a row is an orphan removed at the next start. A read leaves only when
the server has confirmed it (stored or already stored), or refused it for good (kept in
`rejected` with the reason). Disk use is bounded: when full, the oldest images go first; reads
that the server has not confirmed are never dropped, and each eviction is logged loudly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

IMAGE_FIELDS = ("plate_crop", "overview")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    captured_at TEXT NOT NULL,
    item TEXT NOT NULL,
    plate_crop TEXT,
    overview TEXT,
    image_bytes INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    queued_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    id TEXT PRIMARY KEY,
    item TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class QueuedRead:
    """A read waiting in the outbox: its wire item (images not inline) and its image files."""

    id: uuid.UUID
    item: dict[str, Any]
    images: dict[str, Path]


@dataclass(frozen=True)
class OutboxStats:
    depth: int
    image_bytes: int
    database_bytes: int
    oldest_queued_at: dt.datetime | None
    rejected: int
    images_evicted: int


class Outbox:
    """The agent's store-and-forward queue. Thread-safe: one connection behind one lock."""

    def __init__(self, path: Path, *, max_bytes: int) -> None:
        self.path = path
        self.images_dir = path.with_name(path.name + ".images")
        self.images_dir.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.images_evicted = 0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a confirmed write survives power loss, not only a crash of the process.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        self._remove_orphans()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def add(self, item: Mapping[str, Any], images: Mapping[str, bytes]) -> bool:
        """Store one read (its wire item without images, and the images as files).

        Returns False when a read with that id is already queued (a re-read of the same file).
        """
        read_id = str(item["id"])
        with self._lock:
            if self._db.execute("SELECT 1 FROM outbox WHERE id = ?", (read_id,)).fetchone():
                return False
        wanted = sum(len(data) for data in images.values())
        keep_images = self._make_room(wanted) if wanted else True
        names: dict[str, str] = {}
        if keep_images:
            for field, data in images.items():
                name = f"{read_id}.{field}.jpg"
                _write_durably(self.images_dir / name, data)
                names[field] = name
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO outbox (id, captured_at, item, plate_crop, overview,"
                " image_bytes, queued_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    read_id,
                    item["captured_at"],
                    json.dumps(dict(item), separators=(",", ":")),
                    names.get("plate_crop"),
                    names.get("overview"),
                    wanted if keep_images else 0,
                    time.time(),
                ),
            )
            return cursor.rowcount == 1

    def next_batch(self, limit: int) -> list[QueuedRead]:
        """The oldest `limit` queued reads, with the images they still have."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, item, plate_crop, overview FROM outbox ORDER BY seq LIMIT ?", (limit,)
            ).fetchall()
        batch = []
        for read_id, item, plate_crop, overview in rows:
            images = {}
            for field, name in zip(IMAGE_FIELDS, (plate_crop, overview), strict=True):
                if name and (self.images_dir / name).is_file():
                    images[field] = self.images_dir / name
            batch.append(QueuedRead(uuid.UUID(read_id), json.loads(item), images))
        return batch

    def confirm(self, ids: list[uuid.UUID]) -> None:
        """The server holds these reads now: drop them and their images."""
        if not ids:
            return
        keys = [str(i) for i in ids]
        with self._transaction() as db:
            names = _image_names(db, keys)
            db.executemany("DELETE FROM outbox WHERE id = ?", [(k,) for k in keys])
        for name in names:
            (self.images_dir / name).unlink(missing_ok=True)

    def reject(self, read_id: uuid.UUID, reason: str) -> None:
        """The server refused this read for good: keep it aside with its reason, unsent."""
        key = str(read_id)
        with self._transaction() as db:
            row = db.execute("SELECT item FROM outbox WHERE id = ?", (key,)).fetchone()
            if row is None:
                return
            names = _image_names(db, [key])
            db.execute(
                "INSERT OR REPLACE INTO rejected (id, item, reason, rejected_at) VALUES (?,?,?,?)",
                (key, row[0], reason, time.time()),
            )
            db.execute("DELETE FROM outbox WHERE id = ?", (key,))
        for name in names:
            (self.images_dir / name).unlink(missing_ok=True)
        logger.error("the server refused read %s for good: %s (kept in 'rejected')", key, reason)

    def count_attempt(self, ids: list[uuid.UUID]) -> None:
        with self._transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", [(str(i),) for i in ids]
            )

    def depth(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def stats(self) -> OutboxStats:
        with self._lock:
            depth, image_bytes, oldest = self._db.execute(
                "SELECT COUNT(*), COALESCE(SUM(image_bytes), 0), MIN(queued_at) FROM outbox"
            ).fetchone()
            rejected = self._db.execute("SELECT COUNT(*) FROM rejected").fetchone()[0]
            database_bytes = self._database_bytes()
        return OutboxStats(
            depth=depth,
            image_bytes=image_bytes,
            database_bytes=database_bytes,
            oldest_queued_at=dt.datetime.fromtimestamp(oldest, tz=dt.UTC) if oldest else None,
            rejected=rejected,
            images_evicted=self.images_evicted,
        )

    def _database_bytes(self) -> int:
        pages = self._db.execute("PRAGMA page_count").fetchone()[0]
        size = self._db.execute("PRAGMA page_size").fetchone()[0]
        wal = self.path.with_name(self.path.name + "-wal")
        return pages * size + (wal.stat().st_size if wal.exists() else 0)

    def _make_room(self, wanted: int) -> bool:
        """Evict the oldest images until `wanted` more bytes fit; False when they cannot."""
        with self._lock:
            used = (
                self._db.execute("SELECT COALESCE(SUM(image_bytes), 0) FROM outbox").fetchone()[0]
                + self._database_bytes()
            )
            if used + wanted <= self.max_bytes:
                return True
            victims = self._db.execute(
                "SELECT id, plate_crop, overview, image_bytes FROM outbox"
                " WHERE image_bytes > 0 ORDER BY seq"
            ).fetchall()
        evicted: list[tuple[str, list[str]]] = []
        for read_id, plate_crop, overview, size in victims:
            if used + wanted <= self.max_bytes:
                break
            evicted.append((read_id, [n for n in (plate_crop, overview) if n]))
            used -= size
        if evicted:
            with self._transaction() as db:
                db.executemany(
                    "UPDATE outbox SET plate_crop = NULL, overview = NULL, image_bytes = 0"
                    " WHERE id = ?",
                    [(read_id,) for read_id, _ in evicted],
                )
            for _, names in evicted:
                for name in names:
                    (self.images_dir / name).unlink(missing_ok=True)
            self.images_evicted += len(evicted)
            logger.warning(
                "OUTBOX FULL (limit %.1f MB): dropped the images of the %d oldest unsent reads; "
                "the reads themselves are kept. Check the link to the server.",
                self.max_bytes / 1e6,
                len(evicted),
            )
        if used + wanted <= self.max_bytes:
            return True
        logger.warning(
            "OUTBOX FULL (limit %.1f MB) of unsent reads alone: keeping every read, but new "
            "reads are stored without images until the server takes some.",
            self.max_bytes / 1e6,
        )
        return False

    def _remove_orphans(self) -> None:
        """Image files without a row: the agent stopped between writing a file and its row."""
        with self._lock:
            known = {
                name
                for row in self._db.execute("SELECT plate_crop, overview FROM outbox")
                for name in row
                if name
            }
        for path in self.images_dir.iterdir():
            if path.name not in known:
                path.unlink(missing_ok=True)


def _image_names(db: sqlite3.Connection, keys: list[str]) -> list[str]:
    names: list[str] = []
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in db.execute(
            f"SELECT plate_crop, overview FROM outbox WHERE id IN ({marks})",  # noqa: S608 - placeholders only
            chunk,
        ):
            names.extend(name for name in row if name)
    return names


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)

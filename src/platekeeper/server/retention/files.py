"""Image files on disk for the purge: deleting them after their rows, and finding orphans."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

log = logging.getLogger(__name__)

IMAGES_FOLDER = "images"


def delete_files(paths: list[str]) -> int:
    """Delete image files from storage (their rows are already gone); return how many existed."""
    deleted = 0
    for path in paths:
        if default_storage.exists(path):
            default_storage.delete(path)
            deleted += 1
    return deleted


def stale_image_files(older_than: dt.datetime) -> Iterator[tuple[str, str]]:
    """Yield (storage path, file stem) of every image file last modified before `older_than`.

    The grace period matters: ingestion writes a file before the transaction that inserts its
    row commits, so a young file without a row may simply not be committed yet.
    """
    try:
        root = Path(default_storage.path(IMAGES_FOLDER))
    except NotImplementedError:  # remote storage: no local walk; its own lifecycle rules apply
        log.warning("image storage is not a local folder; the orphan-file sweep is skipped")
        return
    if not root.is_dir():
        return
    limit = older_than.timestamp()
    for shard in sorted(os.scandir(root), key=lambda entry: entry.name):
        if not shard.is_dir(follow_symlinks=False):
            continue
        for entry in os.scandir(shard.path):
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime < limit:
                stem = entry.name.split(".", 1)[0]
                yield f"{IMAGES_FOLDER}/{shard.name}/{entry.name}", stem


@contextlib.contextmanager
def exclusive_file_lock(name: str) -> Iterator[bool]:
    """Hold a lock file in the data dir while the block runs; yields False if another holds it.

    The operating system releases the lock when the holder dies, so a killed purge never
    leaves a stale lock behind.
    """
    folder = Path(settings.DATA_DIR) / "retention"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

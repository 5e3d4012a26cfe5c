"""Image files on disk for the purge: deleting them after their rows, and finding orphans."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage

log = logging.getLogger(__name__)

IMAGES_FOLDER = "images"
#: Files unlinked at once by `delete_files`: enough to keep a disk's queue busy.
UNLINKERS = 8
#: A stored image's path as `reads.images.store_images` writes it (no `..`, no other folder).
_IMAGE_PATH = re.compile(rf"{IMAGES_FOLDER}/[0-9a-f]{{2}}/[0-9a-f]{{64}}\.[a-z]{{2,5}}")


def delete_files(paths: list[str]) -> int:
    """Delete image files from storage (their rows are already gone); return how many existed.

    On local storage the files are unlinked directly under the image folder, UNLINKERS at a
    time: a purged day's crops are tens of thousands of files in as many places, and each
    unlink may wait on the disk (5 ms each, one after another, under another job's writes:
    14 s of a day's 2,600 crops), while Django's storage also joins and checks each path twice.
    Only paths of the shape ingestion writes (`images/ab/<digest>.ext`) are unlinked that way;
    anything else goes through the storage as before.
    """
    try:
        root = Path(default_storage.path(IMAGES_FOLDER))
    except NotImplementedError:  # remote storage
        root = None
    local = [path for path in paths if root and _IMAGE_PATH.fullmatch(path)]
    deleted = _unlink_all(root, local) if root else 0
    for path in set(paths).difference(local):
        if default_storage.exists(path):
            default_storage.delete(path)
            deleted += 1
    return deleted


def _unlink_all(root: Path, paths: list[str]) -> int:
    """Unlink `images/...` paths under the image folder `root`; return how many existed."""

    def unlink(path: str) -> bool:
        try:
            os.unlink(root / path[len(IMAGES_FOLDER) + 1 :])
        except FileNotFoundError:
            return False
        return True

    with ThreadPoolExecutor(UNLINKERS) as pool:
        return sum(pool.map(unlink, paths))


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

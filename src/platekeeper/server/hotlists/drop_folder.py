"""A folder the server watches for hotlist files: state hotlists arrive about twice a day.

A file named `<hotlist name>.<format>` (`.csv`, `.ncic`: any registered hotlist format) replaces
that hotlist's entries; afterwards it is moved to `processed/` (or `failed/`) beside a
`.report.txt` saying what changed or why it failed. Files still being written are left alone
until they stop changing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from platekeeper.errors import PlatekeeperError
from platekeeper.hotlist_formats import (
    HotlistFormatError,
    get_format,
    open_text,
    require_format,
)
from platekeeper.server.access.gate import Requester
from platekeeper.server.hotlists.actions import import_entries
from platekeeper.server.hotlists.models import Hotlist

log = logging.getLogger(__name__)
#: A file modified more recently than this may still be arriving.
SETTLE_SECONDS = 10
DROP_REQUESTER = Requester.system("hotlist-drop-folder")


@dataclass(frozen=True)
class DropResult:
    file: str
    ok: bool
    message: str


def drop_dir() -> Path:
    return Path(settings.PLATEKEEPER_HOTLIST_DROP_DIR)


def import_dropped_files(
    folder: Path | None = None, *, settle_seconds: float = SETTLE_SECONDS
) -> list[DropResult]:
    """Import every settled file in the drop folder; return what happened to each."""
    folder = folder or drop_dir()
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or get_format(path.suffix.lower().removeprefix(".")) is None:
            continue
        if time.time() - path.stat().st_mtime < settle_seconds:
            continue
        results.append(_import_one(path))
    return results


def _import_one(path: Path) -> DropResult:
    hotlist = Hotlist.objects.filter(name=path.stem).first()
    try:
        if hotlist is None:
            raise PlatekeeperError(f"no hotlist named {path.stem!r}; name the file after the list")
        hotlist_format = require_format(path.suffix.lower().removeprefix("."))
        report = import_entries(
            hotlist,
            hotlist_format.parse(open_text(path.read_bytes()), None),
            requester=DROP_REQUESTER,
            replace=True,
            source_name=path.name,
        )
        lines = [f"{path.name}: {report.describe()}"]
        lines += [f"line {row.line}: {row.reason}" for row in report.invalid]
        lines += [f"line {row.line}: {row.describe()}" for row in report.refused]
        result = DropResult(path.name, True, "\n".join(lines))
    except (PlatekeeperError, HotlistFormatError, OSError) as error:
        result = DropResult(path.name, False, f"{path.name}: not imported: {error}")
        log.warning(result.message)
    _file_away(path, result)
    return result


def _file_away(path: Path, result: DropResult) -> None:
    """Move the file out of the way with its report, so it is imported exactly once."""
    target = path.parent / ("processed" if result.ok else "failed")
    target.mkdir(exist_ok=True)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    moved = target / f"{stamp}-{path.name}"
    path.replace(moved)
    moved.with_name(moved.name + ".report.txt").write_text(result.message + "\n")

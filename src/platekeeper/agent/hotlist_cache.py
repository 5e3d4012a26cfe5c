"""The agent's offline copy of the hotlists: synced with ETag/If-None-Match, matched locally.

A hit is announced at once (log line, `alerts.jsonl`, optional bell or command), before the read
is uploaded and whether or not the server can be reached; the alert the server raises at ingest
remains the record. The copy holds only what matching and the announcement need: entry id,
plate or pattern, state, expiry, and the list's name, category, priority and fuzziness.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from platekeeper.matching import Entry, Matcher

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HotlistHit:
    """A local match, announced at once."""

    read_id: str
    plate: str
    entry_id: int
    entry_plate: str
    hotlist: str
    category: str
    priority: int
    match_kind: str
    captured_at: str


class HotlistCache:
    """Holds the current copy and its matcher; `sync` refreshes it, `match` uses it."""

    def __init__(self, path: Path, client: httpx.Client | None) -> None:
        self.path = path
        self.client = client
        self.etag = ""
        self._entries: dict[int, dict[str, Any]] = {}
        self._lists: dict[int, dict[str, Any]] = {}
        self._matcher = Matcher([])
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._matcher.size

    def load(self) -> None:
        """Use the copy saved by the last sync (so alerts work from the first frame, offline)."""
        try:
            saved = json.loads(self.path.read_text())
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            logger.error("hotlist copy %s is unreadable (%s); waiting for a sync", self.path, error)
            return
        self._install(saved.get("document", {}), saved.get("etag", ""))
        logger.info("loaded %d hotlist entries from %s", self.size, self.path)

    def sync(self) -> bool:
        """Fetch the hotlists unless unchanged (304). True when the copy changed."""
        if self.client is None:
            return False
        headers = {"If-None-Match": self.etag} if self.etag else {}
        response = self.client.get("/api/v1/agent/hotlists", headers=headers)
        if response.status_code == 304:
            return False
        response.raise_for_status()
        document = response.json()
        etag = response.headers.get("ETag", "")
        self._install(document, etag)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"etag": etag, "document": document}))
        os.replace(temporary, self.path)
        logger.info("hotlists synced: %d entries (%s)", self.size, etag)
        return True

    def _install(self, document: dict[str, Any], etag: str) -> None:
        lists = {int(h["id"]): h for h in document.get("hotlists", [])}
        entries: dict[int, dict[str, Any]] = {}
        matcher_entries = []
        for entry_id, hotlist_id, plate, state, expires_at in document.get("entries", []):
            hotlist = lists.get(hotlist_id)
            if hotlist is None:
                continue
            entries[entry_id] = {"hotlist": hotlist_id, "plate": plate, "expires_at": expires_at}
            matcher_entries.append(
                Entry(key=entry_id, plate=plate, state=state or "", fuzzy=bool(hotlist["fuzzy"]))
            )
        matcher = Matcher(matcher_entries)
        with self._lock:
            self._lists, self._entries, self._matcher, self.etag = lists, entries, matcher, etag

    def match(
        self, read_id: str, plate: str, state: str, captured_at: dt.datetime
    ) -> list[HotlistHit]:
        """The entries a read hits, strongest list first; expired entries are skipped."""
        with self._lock:
            matcher, entries, lists = self._matcher, self._entries, self._lists
        hits = []
        for match in matcher.match(plate, state):
            entry = entries[match.entry_key]
            if entry["expires_at"] and dt.datetime.fromisoformat(entry["expires_at"]) < captured_at:
                continue
            hotlist = lists[entry["hotlist"]]
            hits.append(
                HotlistHit(
                    read_id=read_id,
                    plate=plate,
                    entry_id=match.entry_key,
                    entry_plate=entry["plate"],
                    hotlist=hotlist["name"],
                    category=hotlist.get("category", ""),
                    priority=int(hotlist["priority"]),
                    match_kind=match.kind.value,
                    captured_at=captured_at.isoformat(),
                )
            )
        hits.sort(key=lambda hit: hit.priority)
        return hits


class AlertAnnouncer:
    """Shows and sounds a local hit: a loud log line, a JSON line in `alerts.jsonl`, an optional
    terminal bell and an optional command (given the hit as JSON on its standard input)."""

    def __init__(self, path: Path, *, bell: bool = False, command: tuple[str, ...] = ()) -> None:
        self.path = path
        self.bell = bell
        self.command = command

    def announce(self, hit: HotlistHit) -> None:
        logger.warning(
            "HOTLIST HIT %s on %r (%s, priority %d, %s match of %s) - verify before acting",
            hit.plate,
            hit.hotlist,
            hit.category,
            hit.priority,
            hit.match_kind,
            hit.entry_plate,
        )
        line = json.dumps(vars(hit))
        with self.path.open("a") as out:
            out.write(line + "\n")
        if self.bell:
            sys.stderr.write("\a")
            sys.stderr.flush()
        if self.command:
            try:
                subprocess.Popen(  # noqa: S603 - the operator's own configured command
                    list(self.command), stdin=subprocess.PIPE, text=True
                ).communicate(line, timeout=10)
            except (OSError, subprocess.SubprocessError) as error:
                logger.error("alert command %s failed: %s", self.command[0], error)

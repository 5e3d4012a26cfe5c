"""The offline hotlist copy: ETag sync, local matching, announcing hits at once."""

from __future__ import annotations

import datetime as dt
import json

import httpx

from platekeeper.agent.hotlist_cache import AlertAnnouncer, HotlistCache

NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
DOCUMENT = {
    "generation": 7,
    "hotlists": [
        {
            "id": 1,
            "name": "Stolen vehicles",
            "category": "stolen_vehicle",
            "priority": 1,
            "fuzzy": False,
        },
        {"id": 2, "name": "BOLO", "category": "other", "priority": 4, "fuzzy": True},
    ],
    "entries": [
        [10, 1, "7ABC123", "", None],
        [11, 2, "7ABC12?", "", None],
        [12, 1, "4XYZ987", "", "2026-01-01T00:00:00+00:00"],
    ],
}


def _server(requests: list[httpx.Request]):
    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.headers.get("If-None-Match") == '"hotlists-7"':
            return httpx.Response(304, headers={"ETag": '"hotlists-7"'})
        return httpx.Response(200, json=DOCUMENT, headers={"ETag": '"hotlists-7"'})

    return httpx.Client(base_url="http://server", transport=httpx.MockTransport(handler))


def test_sync_downloads_once_then_asks_with_the_etag(tmp_path):
    requests: list[httpx.Request] = []
    cache = HotlistCache(tmp_path / "hotlists.json", _server(requests))

    assert cache.sync() is True
    assert cache.sync() is False
    assert requests[1].headers["If-None-Match"] == '"hotlists-7"'
    assert cache.size == 3


def test_hits_come_strongest_list_first_and_expired_entries_are_skipped(tmp_path):
    cache = HotlistCache(tmp_path / "hotlists.json", _server([]))
    cache.sync()

    hits = cache.match("r1", "7ABC123", "", NOW)

    assert [(h.hotlist, h.match_kind) for h in hits] == [
        ("Stolen vehicles", "exact"),
        ("BOLO", "partial"),
    ]
    assert cache.match("r2", "4XYZ987", "", NOW) == []


def test_the_saved_copy_works_offline_after_a_restart(tmp_path):
    HotlistCache(tmp_path / "hotlists.json", _server([])).sync()

    offline = HotlistCache(tmp_path / "hotlists.json", None)
    offline.load()

    assert offline.etag == '"hotlists-7"'
    assert [h.entry_id for h in offline.match("r1", "7A8C123", "", NOW)] == [10, 11]


def test_a_hit_is_announced_in_the_log_and_the_alerts_file(tmp_path, caplog):
    cache = HotlistCache(tmp_path / "hotlists.json", _server([]))
    cache.sync()
    announcer = AlertAnnouncer(tmp_path / "alerts.jsonl")

    for hit in cache.match("r1", "7ABC123", "", NOW):
        announcer.announce(hit)

    lines = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert [line["hotlist"] for line in lines] == ["Stolen vehicles", "BOLO"]
    assert "HOTLIST HIT 7ABC123" in caplog.text

"""The outbox: durable, exactly what the server has not confirmed, bounded disk."""

from __future__ import annotations

import logging
import uuid

from platekeeper.agent.outbox import Outbox


def _item(plate: str = "7ABC123") -> dict:
    return {"id": str(uuid.uuid4()), "plate": plate, "captured_at": "2026-11-28T10:00:00Z"}


def test_reads_survive_a_restart_until_confirmed(tmp_path):
    path = tmp_path / "outbox.sqlite3"
    outbox = Outbox(path, max_bytes=10_000_000)
    first, second = _item("7ABC123"), _item("4XYZ987")
    outbox.add(first, {"plate_crop": b"crop-1"})
    outbox.add(second, {})
    outbox.close()

    reopened = Outbox(path, max_bytes=10_000_000)
    batch = reopened.next_batch(10)

    assert [read.item["plate"] for read in batch] == ["7ABC123", "4XYZ987"]
    assert batch[0].images["plate_crop"].read_bytes() == b"crop-1"
    reopened.confirm([batch[0].id])
    assert [read.item["plate"] for read in reopened.next_batch(10)] == ["4XYZ987"]
    assert list(reopened.images_dir.iterdir()) == []


def test_the_same_read_is_queued_once(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=10_000_000)
    item = _item()

    assert outbox.add(item, {}) is True
    assert outbox.add(item, {}) is False
    assert outbox.depth() == 1


def test_an_image_file_without_its_row_is_removed_at_start(tmp_path):
    """GIVEN an agent that died between writing an image and its row WHEN it starts again THEN
    the orphan file goes and the queued reads keep theirs."""
    path = tmp_path / "o.sqlite3"
    outbox = Outbox(path, max_bytes=10_000_000)
    outbox.add(_item(), {"plate_crop": b"kept"})
    (outbox.images_dir / "orphan.plate_crop.jpg.tmp").write_bytes(b"half")
    outbox.close()

    reopened = Outbox(path, max_bytes=10_000_000)

    assert [p.read_bytes() for p in reopened.images_dir.iterdir()] == [b"kept"]


def test_when_full_the_oldest_images_go_first_and_no_read_is_lost(tmp_path, caplog):
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=10_000_000)
    base = outbox.stats().database_bytes
    outbox.max_bytes = base + 250_000
    items = [_item(f"PLATE{i}") for i in range(5)]

    with caplog.at_level(logging.WARNING):
        for item in items:
            outbox.add(item, {"overview": bytes(100_000)})

    batch = outbox.next_batch(10)
    assert len(batch) == 5
    kept = [bool(read.images) for read in batch]
    assert kept == sorted(kept)  # the oldest lost theirs first
    assert kept[0] is False
    assert kept[-1] is True
    assert outbox.stats().images_evicted == kept.count(False)
    assert "OUTBOX FULL" in caplog.text


def test_a_queue_of_reads_alone_over_the_limit_keeps_every_read(tmp_path, caplog):
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=1)

    with caplog.at_level(logging.WARNING):
        for i in range(3):
            outbox.add(_item(f"PLATE{i}"), {"plate_crop": b"x" * 10})

    assert outbox.depth() == 3
    assert "keeping every read" in caplog.text


def test_a_refused_read_is_set_aside_with_its_reason(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=10_000_000)
    item = _item()
    outbox.add(item, {"plate_crop": b"x"})

    outbox.reject(uuid.UUID(item["id"]), "plate: is empty")

    assert outbox.depth() == 0
    assert outbox.stats().rejected == 1
    assert list(outbox.images_dir.iterdir()) == []

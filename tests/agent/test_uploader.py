"""The uploader against a scripted server: confirmation, refusals, failures and backoff."""

from __future__ import annotations

import json
import random
import uuid

import httpx
import pytest

from platekeeper.agent.outbox import Outbox
from platekeeper.agent.uploader import Backoff, Uploader, UploadError


def _outbox(tmp_path, count: int, image: bool = False) -> Outbox:
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=10_000_000)
    for i in range(count):
        item = {
            "id": str(uuid.uuid4()),
            "plate": f"PLATE{i}",
            "captured_at": "2026-11-28T10:00:00Z",
        }
        outbox.add(item, {"plate_crop": b"\xff\xd8crop"} if image else {})
    return outbox


def _uploader(outbox: Outbox, handler, **options) -> Uploader:
    client = httpx.Client(base_url="http://server", transport=httpx.MockTransport(handler))
    return Uploader(outbox, client, **options)


def _stores_all(request: httpx.Request) -> httpx.Response:
    count = len(json.loads(request.content)["reads"])
    return httpx.Response(
        200, json={"stored": count, "duplicates": 0, "rejected": [], "alerts": []}
    )


def test_confirmed_reads_leave_the_outbox_in_batches(tmp_path):
    outbox = _outbox(tmp_path, 25)
    seen = []

    def handler(request):
        seen.append(len(json.loads(request.content)["reads"]))
        return _stores_all(request)

    uploader = _uploader(outbox, handler, batch_size=10)
    while uploader.upload_once():
        pass

    assert seen == [10, 10, 5]
    assert outbox.depth() == 0


def test_images_travel_as_multipart_parts_named_in_the_item(tmp_path):
    outbox = _outbox(tmp_path, 2, image=True)
    captured = {}

    def handler(request):
        captured["type"] = request.headers["Content-Type"]
        captured["body"] = request.read()
        return httpx.Response(
            200, json={"stored": 2, "duplicates": 0, "rejected": [], "alerts": []}
        )

    _uploader(outbox, handler).upload_once()

    assert captured["type"].startswith("multipart/form-data")
    assert b'name="plate_crop0"' in captured["body"]
    assert b'"plate_crop_file":"plate_crop1"' in captured["body"]


def test_a_refused_item_is_set_aside_and_the_rest_confirmed(tmp_path):
    outbox = _outbox(tmp_path, 3)

    def handler(request):
        return httpx.Response(
            200,
            json={
                "stored": 2,
                "duplicates": 0,
                "alerts": [],
                "rejected": [{"index": 1, "reason": "plate: is empty"}],
            },
        )

    result = _uploader(outbox, handler).upload_once()

    assert (result.confirmed, result.rejected) == (2, 1)
    assert outbox.depth() == 0
    assert outbox.stats().rejected == 1


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(500, json={"detail": "boom"}),
        lambda request: httpx.Response(401, json={"detail": "token"}),
        lambda request: httpx.Response(200, json={"stored": 1, "duplicates": 0, "rejected": []}),
        lambda request: httpx.Response(200, text="<html>proxy error</html>"),
    ],
    ids=["server-error", "bad-token", "answer-does-not-add-up", "not-json"],
)
def test_anything_but_a_full_answer_keeps_every_read_queued(tmp_path, answer):
    outbox = _outbox(tmp_path, 3)

    with pytest.raises(UploadError):
        _uploader(outbox, answer).upload_once()

    assert outbox.depth() == 3


def test_a_timeout_keeps_every_read_queued(tmp_path):
    outbox = _outbox(tmp_path, 3)

    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with pytest.raises(UploadError, match="ReadTimeout"):
        _uploader(outbox, handler).upload_once()
    assert outbox.depth() == 3


def test_a_batch_the_server_refuses_whole_is_halved_until_the_culprit_is_alone(tmp_path):
    outbox = _outbox(tmp_path, 4)
    poison = outbox.next_batch(10)[2].item["id"]

    def handler(request):
        reads = json.loads(request.content)["reads"]
        if any(r["id"] == poison for r in reads):
            return httpx.Response(400, json={"detail": "body: broken"})
        return _stores_all(request)

    uploader = _uploader(outbox, handler, batch_size=4)
    for _ in range(10):
        try:
            if uploader.upload_once() is None:
                break
        except UploadError:
            continue

    assert outbox.depth() == 0
    assert outbox.stats().rejected == 1


def test_backoff_doubles_up_to_the_cap_with_jitter_and_resets():
    backoff = Backoff(1.0, 8.0, rng=random.Random(4))

    delays = [backoff.next_delay() for _ in range(6)]

    for delay, ceiling in zip(delays, [1, 2, 4, 8, 8, 8], strict=True):
        assert ceiling / 2 <= delay <= ceiling
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def test_a_batch_with_images_carries_at_most_100_files(tmp_path):
    outbox = Outbox(tmp_path / "o.sqlite3", max_bytes=10_000_000)
    for i in range(60):
        item = {
            "id": str(uuid.uuid4()),
            "plate": f"PLATE{i}",
            "captured_at": "2026-11-28T10:00:00Z",
        }
        outbox.add(item, {"plate_crop": b"c", "overview": b"o"})
    sizes = []

    def handler(request):
        body = request.read()
        count = body.count(b'filename="')
        sizes.append(count)
        reads = count // 2
        return httpx.Response(
            200, json={"stored": reads, "duplicates": 0, "rejected": [], "alerts": []}
        )

    uploader = _uploader(outbox, handler, batch_size=100)
    while uploader.upload_once():
        pass

    assert sizes == [100, 20]
    assert outbox.depth() == 0

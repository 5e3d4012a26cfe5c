"""The Frigate bridge's settings and camera routing, without a broker or a server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from platekeeper.bridges.frigate import BridgeError, Broker, FrigateBridge, Settings, read_tokens
from tests.support.frigate import pass_of


def test_a_token_file_holds_one_token_or_one_per_camera() -> None:
    assert read_tokens("abc123\n") == {"": "abc123"}
    assert read_tokens("# cameras\nDriveway tok1\nGate tok2\n") == {
        "Driveway": "tok1",
        "Gate": "tok2",
    }
    with pytest.raises(BridgeError, match="line 2"):
        read_tokens("Driveway tok1\nGate\n")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://10.0.0.2", ("10.0.0.2", 1883, None)),
        ("mqtt://frigate:secret@broker.local:1884", ("broker.local", 1884, "frigate")),
    ],
)
def test_the_broker_url(url: str, expected: tuple) -> None:
    broker = Broker.from_url(url)

    assert (broker.host, broker.port, broker.username) == expected


@pytest.mark.parametrize("url", ["http://10.0.0.2:1883", "mqtt://", "mqtt://host:port"])
def test_a_broker_url_that_is_not_mqtt_is_refused(url: str) -> None:
    with pytest.raises(BridgeError, match="--broker"):
        Broker.from_url(url)


def test_mapped_cameras_go_to_their_own_outbox_and_unmapped_ones_nowhere(tmp_path: Path) -> None:
    bridge = FrigateBridge(
        Settings(
            broker=Broker("127.0.0.1", 1883),
            server_url="http://127.0.0.1:9",
            tokens={"Driveway": "t1", "Gate": "t2"},
            data_dir=tmp_path,
            camera_map={"driveway_cam": "Driveway", "gate_cam": "Gate"},
        )
    )
    for topic, payload in [
        *pass_of("1.1-a", "driveway_cam", "7ABC123"),
        *pass_of("1.2-b", "gate_cam", "4XYZ987"),
        *pass_of("1.3-c", "backyard", "9QQQ111"),
    ]:
        bridge.handle(f"frigate/{topic}", json.dumps(payload).encode())
    bridge.handle("frigate/events", b"{not json")

    queued = {
        name: [read.item["plate"] for read in outbox.next_batch(10)]
        for name, outbox in bridge.outboxes.items()
    }
    assert queued == {"Driveway": ["7ABC123"], "Gate": ["4XYZ987"]}

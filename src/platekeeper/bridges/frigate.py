"""`platekeeper bridge frigate`: Frigate's recognised plates, from MQTT, into platekeeper.

Frigate publishes each tracked object on `PREFIX/events` (`new`, `update`, `end`) and plate
readings on `PREFIX/tracked_object_update` (`lpr`). When a car or motorcycle ends with a
plate, from its event's `recognized_license_plate` or else from the last `lpr` update of that
object, it becomes one read (`platekeeper.vendors.frigate`), with Frigate's best snapshot
(`GET /api/events/ID/snapshot.jpg`) as its overview when `--frigate-url` is given.

Nothing is lost between hearing and storing: the MQTT session is persistent (a fixed client
id, clean session off) and subscribed at QoS 1, and a message is acknowledged only once its
read is on disk in the outbox, so messages that arrive while the bridge is down or before it
has stored them are delivered again; plates heard on `tracked_object_update` wait on disk
too (`PendingPlates`) until their object ends. The read's id is Frigate's object id, so
hearing an event twice stores one read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from platekeeper import __version__
from platekeeper.agent.outbox import Outbox
from platekeeper.agent.uploader import Uploader, make_client
from platekeeper.errors import PlatekeeperError
from platekeeper.vendors import VendorPayloadError
from platekeeper.vendors import frigate as formats

logger = logging.getLogger(__name__)

#: Plates heard for objects that have not ended are forgotten after this long (Frigate ends
#: every object long before; what is older belongs to objects whose end was never published).
PENDING_PLATE_SECONDS = 24 * 3600


class BridgeError(PlatekeeperError):
    """A bridge setting that cannot work; the message says which and why."""


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        """`mqtt://[user:password@]host[:port]`."""
        parts = urlsplit(url)
        if parts.scheme != "mqtt" or not parts.hostname:
            raise BridgeError(f"--broker {url!r}: expected mqtt://HOST[:PORT]")
        try:
            port = parts.port or 1883
        except ValueError:
            raise BridgeError(f"--broker {url!r}: the port is not a number") from None
        return cls(parts.hostname, port, parts.username, parts.password)


@dataclass(frozen=True)
class Settings:
    """What `platekeeper bridge frigate` was given.

    `tokens` maps platekeeper camera names (the right side of `camera_map`) to their device
    tokens; a single token is filed under "" and takes every Frigate camera.
    """

    broker: Broker
    server_url: str
    tokens: Mapping[str, str]
    data_dir: Path
    topic_prefix: str = "frigate"
    camera_map: Mapping[str, str] = field(default_factory=dict)
    frigate_url: str | None = None
    max_outbox_mb: float = 2048
    timeout_seconds: float = 10


class PendingPlates:
    """Plates heard on `tracked_object_update` for objects that have not ended yet.

    On disk, like the outbox: the update is acknowledged once stored, so a bridge restarted
    between a known plate's update and its object's end still makes the read.
    """

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pending (object_id TEXT PRIMARY KEY, plate TEXT NOT NULL,"
            " score REAL, heard_at REAL NOT NULL)"
        )
        self._db.execute(
            "DELETE FROM pending WHERE heard_at < ?", (time.time() - PENDING_PLATE_SECONDS,)
        )

    def remember(self, object_id: str, plate: str, score: float | None) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?)",
            (object_id, plate, score, time.time()),
        )

    def take(self, object_id: str) -> tuple[str, float | None] | None:
        row = self._db.execute(
            "SELECT plate, score FROM pending WHERE object_id = ?", (object_id,)
        ).fetchone()
        if row is not None:
            self._db.execute("DELETE FROM pending WHERE object_id = ?", (object_id,))
        return row

    def close(self) -> None:
        self._db.close()


class FrigateBridge:
    """Turns Frigate's MQTT messages into reads in per-camera outboxes, and uploads them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.outboxes = {
            name: Outbox(
                settings.data_dir / f"frigate-{name or 'default'}.sqlite3",
                max_bytes=int(settings.max_outbox_mb * 1_000_000),
            )
            for name in settings.tokens
        }
        self.uploaders = {
            name: Uploader(
                outbox,
                make_client(
                    settings.server_url,
                    settings.tokens[name],
                    timeout=settings.timeout_seconds,
                    user_agent=f"platekeeper-bridge-frigate/{__version__}",
                ),
            )
            for name, outbox in self.outboxes.items()
        }
        self.frigate = (
            httpx.Client(base_url=settings.frigate_url.rstrip("/"), timeout=5)
            if settings.frigate_url
            else None
        )
        self.plates = PendingPlates(settings.data_dir / "frigate-pending-plates.sqlite3")
        self.stop = threading.Event()
        self.failed = False
        self._unrouted: set[str] = set()

    @property
    def events_topic(self) -> str:
        return f"{self.settings.topic_prefix}/events"

    @property
    def updates_topic(self) -> str:
        return f"{self.settings.topic_prefix}/tracked_object_update"

    def handle(self, topic: str, payload: bytes | bytearray) -> None:
        """Act on one message; once this returns, whatever it carried is on disk.

        A message that is not Frigate's documented shape is logged and dropped: hearing it
        again would not make it readable.
        """
        try:
            document = json.loads(payload)
            if topic == self.updates_topic:
                self._remember_plate(formats.parse_plate_update(document))
            elif topic == self.events_topic:
                self._finish(formats.parse_event(document))
        except (ValueError, VendorPayloadError) as error:
            logger.warning("ignored a message on %s that Frigate would not send: %s", topic, error)

    def _remember_plate(self, update: formats.PlateUpdate) -> None:
        if update.type != "lpr" or not update.plate or not update.plate.strip():
            return
        self.plates.remember(update.id, update.plate, update.score)

    def _finish(self, event: formats.Event) -> None:
        if event.type != "end":
            return
        tracked = event.after
        remembered = self.plates.take(tracked.id)
        if not formats.ended_vehicle(event):
            return
        plate, score = tracked.recognized_license_plate, tracked.recognized_license_plate_score
        if not plate or not plate.strip():
            if remembered is None:
                return
            plate, score = remembered
        outbox = self._outbox_for(tracked.camera)
        if outbox is None:
            return
        item = formats.object_item(tracked, plate, score)
        snapshot = self._snapshot(tracked.id)
        if outbox.add(item, {"overview": snapshot} if snapshot else {}):
            logger.info("%s on %s: queued read %s", item["plate"], tracked.camera, item["id"])

    def _outbox_for(self, camera: str) -> Outbox | None:
        name = self.settings.camera_map.get(camera, "" if not self.settings.camera_map else None)
        outbox = None if name is None else self.outboxes.get(name, self.outboxes.get(""))
        if outbox is None and camera not in self._unrouted:
            self._unrouted.add(camera)
            logger.warning(
                "Frigate camera %r is not in --camera-map (or its camera has no token): "
                "its plates are not bridged",
                camera,
            )
        return outbox

    def _snapshot(self, object_id: str) -> bytes | None:
        """Frigate's best snapshot of the object, or None (the read is kept without it)."""
        if self.frigate is None:
            return None
        try:
            response = self.frigate.get(f"/api/events/{object_id}/snapshot.jpg")
        except httpx.HTTPError as error:
            logger.warning("no snapshot of %s from Frigate: %s", object_id, error)
            return None
        if response.status_code != 200 or not response.content.startswith(b"\xff\xd8"):
            logger.warning(
                "no snapshot of %s: Frigate answered %s", object_id, response.status_code
            )
            return None
        return response.content

    def run(self) -> int:
        """Listen and upload until `stop` is set (SIGTERM, SIGINT, or a message that could not
        be kept); the exit status: 1 after such a failure."""
        uploaders = [
            threading.Thread(target=uploader.run, args=(self.stop,), daemon=True, name=name)
            for name, uploader in self.uploaders.items()
        ]
        for thread in uploaders:
            thread.start()
        client = self._mqtt_client()
        client.connect_async(self.settings.broker.host, self.settings.broker.port, keepalive=30)
        client.loop_start()
        try:
            self.stop.wait()
        finally:
            client.disconnect()
            client.loop_stop()
            for thread in uploaders:
                thread.join(timeout=15)
            for outbox in self.outboxes.values():
                outbox.close()
            self.plates.close()
        return 1 if self.failed else 0

    def _mqtt_client(self) -> mqtt.Client:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id(),
            clean_session=False,
            manual_ack=True,
        )
        if self.settings.broker.username:
            client.username_pw_set(self.settings.broker.username, self.settings.broker.password)
        client.reconnect_delay_set(min_delay=1, max_delay=30)

        def on_connect(client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any):
            if reason.is_failure:
                logger.error("the MQTT broker refused the bridge: %s", reason)
                return
            client.subscribe([(self.events_topic, 1), (self.updates_topic, 1)])
            logger.info(
                "listening on %s and %s at %s:%d",
                self.events_topic,
                self.updates_topic,
                self.settings.broker.host,
                self.settings.broker.port,
            )

        def on_message(client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
            try:
                self.handle(message.topic, message.payload)
            except Exception:
                # Unacknowledged, the message comes again when the bridge is started again.
                logger.exception("could not keep a message from %s; stopping", message.topic)
                self.failed = True
                self.stop.set()
                return
            # Only now: a message not acknowledged is delivered again after a restart.
            client.ack(message.mid, message.qos)

        def on_disconnect(client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props):
            if not self.stop.is_set():
                logger.warning("lost the MQTT broker (%s); reconnecting", reason)

        client.on_connect = on_connect
        client.on_message = on_message
        client.on_disconnect = on_disconnect
        return client

    def client_id(self) -> str:
        """The same id every start with the same data dir: the broker keeps the session (and
        the messages that came while the bridge was away) under it."""
        digest = hashlib.sha256(str(self.settings.data_dir.resolve()).encode()).hexdigest()
        return f"platekeeper-frigate-{digest[:12]}"


def read_tokens(text: str) -> dict[str, str]:
    """A token file: one device token, or one `NAME TOKEN` line per platekeeper camera."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    if len(lines) == 1 and len(lines[0].split()) == 1:
        return {"": lines[0]}
    tokens = {}
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) != 2:
            raise BridgeError(f"token file line {number}: expected 'CAMERA-NAME TOKEN'")
        tokens[parts[0]] = parts[1]
    if not tokens:
        raise BridgeError("the token file is empty")
    return tokens


def stop_on_signals(bridge: FrigateBridge) -> None:
    import signal

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(ValueError):  # not the main thread
            signal.signal(signum, lambda *_: bridge.stop.set())

"""Where the camera is: a fixed position, gpsd (JSON over TCP), or NMEA sentences from a serial GPS.

Moving sources run in a background thread and keep the last fix; reads take `current()`. A stale
fix is still used (a read with an old position beats a lost read) but is logged.
"""

from __future__ import annotations

import abc
import contextlib
import json
import logging
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from platekeeper.agent.config import LocationConfig

logger = logging.getLogger(__name__)

KNOTS_TO_KMH = 1.852
MS_TO_KMH = 3.6
STALE_AFTER_SECONDS = 30.0


@dataclass(frozen=True)
class Fix:
    latitude: float
    longitude: float
    heading: float | None = None
    speed_kmh: float | None = None


class Location(abc.ABC):
    """Gives the current position, or None when the server should use the camera's own."""

    @abc.abstractmethod
    def current(self) -> Fix | None: ...

    def start(self, stop: threading.Event) -> None:  # noqa: B027 - optional hook
        """Start following a moving source (a thread); fixed ones need nothing."""


class NoLocation(Location):
    def current(self) -> Fix | None:
        return None


class FixedLocation(Location):
    def __init__(self, fix: Fix) -> None:
        self.fix = fix

    def current(self) -> Fix | None:
        return self.fix


class _Following(Location):
    """Keeps the newest fix a background reader found."""

    def __init__(self) -> None:
        self._fix: Fix | None = None
        self._at = 0.0
        self._warned = False

    def update(self, fix: Fix) -> None:
        self._fix, self._at, self._warned = fix, time.monotonic(), False

    def current(self) -> Fix | None:
        stale = self._fix is not None and time.monotonic() - self._at > STALE_AFTER_SECONDS
        if stale and not self._warned:
            logger.warning("GPS fix is older than %.0f s; using the last one", STALE_AFTER_SECONDS)
            self._warned = True
        return self._fix

    def start(self, stop: threading.Event) -> None:
        threading.Thread(target=self._follow, args=(stop,), daemon=True, name="location").start()

    def _follow(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.read_until(stop)
            except OSError as error:
                logger.warning("location source failed (%s); retrying in 5 s", error)
            stop.wait(5.0)

    @abc.abstractmethod
    def read_until(self, stop: threading.Event) -> None: ...


class GpsdLocation(_Following):
    """gpsd's JSON protocol: `?WATCH={"enable":true,"json":true}` then TPV reports."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__()
        self.host, self.port = host, port

    def read_until(self, stop: threading.Event) -> None:
        with socket.create_connection((self.host, self.port), timeout=5) as sock:
            sock.sendall(b'?WATCH={"enable":true,"json":true}\n')
            buffer = b""
            while not stop.is_set():
                try:
                    chunk = sock.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    raise ConnectionError("gpsd closed the connection")
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    fix = parse_gpsd(line.decode("utf-8", "replace"))
                    if fix is not None:
                        self.update(fix)


class NmeaLocation(_Following):
    """NMEA 0183 sentences (RMC and GGA) from a serial device, or any file that yields lines."""

    def __init__(self, device: str, baud: int) -> None:
        super().__init__()
        self.device, self.baud = device, baud

    def read_until(self, stop: threading.Event) -> None:
        with Path(self.device).open("rb", buffering=0) as stream:
            _set_baud(stream, self.baud)
            buffer = b""
            while not stop.is_set():
                chunk = stream.read(512)
                if not chunk:
                    time.sleep(0.1)
                    continue
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    fix = parse_nmea(line.decode("ascii", "replace"))
                    if fix is not None:
                        self.update(fix)


def _set_baud(stream, baud: int) -> None:
    """Set a tty's speed (raw mode); a plain file or pipe is left alone."""
    with contextlib.suppress(ImportError, OSError):
        import termios
        import tty

        fd = stream.fileno()
        if not stream.isatty():
            return
        tty.setraw(fd)
        attributes = termios.tcgetattr(fd)
        speed = getattr(termios, f"B{baud}")
        attributes[4] = attributes[5] = speed
        termios.tcsetattr(fd, termios.TCSANOW, attributes)


def parse_gpsd(line: str) -> Fix | None:
    """A fix from one gpsd JSON report (class TPV with a 2D or 3D fix), else None."""
    try:
        report = json.loads(line)
    except ValueError:
        return None
    if not isinstance(report, dict) or report.get("class") != "TPV":
        return None
    if report.get("mode", 0) < 2 or "lat" not in report or "lon" not in report:
        return None
    speed = report.get("speed")
    return Fix(
        latitude=float(report["lat"]),
        longitude=float(report["lon"]),
        heading=float(report["track"]) if report.get("track") is not None else None,
        speed_kmh=round(float(speed) * MS_TO_KMH, 2) if speed is not None else None,
    )


def nmea_checksum_ok(sentence: str) -> bool:
    """True when `$...*HH` carries a correct XOR checksum (a sentence without one is refused)."""
    if not sentence.startswith("$") or "*" not in sentence:
        return False
    body, _, given = sentence[1:].partition("*")
    computed = 0
    for char in body:
        computed ^= ord(char)
    try:
        return computed == int(given[:2], 16)
    except ValueError:
        return False


def parse_nmea(sentence: str) -> Fix | None:
    """A fix from an RMC (position, speed, course) or GGA (position) sentence, else None."""
    sentence = sentence.strip()
    if not nmea_checksum_ok(sentence):
        return None
    fields = sentence[1:].split("*")[0].split(",")
    kind = fields[0][-3:]
    try:
        if kind == "RMC" and len(fields) >= 9:
            if fields[2] != "A":  # V: receiver warning, no valid fix
                return None
            return Fix(
                latitude=_degrees(fields[3], fields[4]),
                longitude=_degrees(fields[5], fields[6]),
                speed_kmh=round(float(fields[7]) * KNOTS_TO_KMH, 2) if fields[7] else None,
                heading=float(fields[8]) if fields[8] else None,
            )
        if kind == "GGA" and len(fields) >= 7:
            if fields[6] in ("", "0"):  # fix quality 0: invalid
                return None
            return Fix(
                latitude=_degrees(fields[2], fields[3]), longitude=_degrees(fields[4], fields[5])
            )
    except ValueError:
        return None
    return None


def _degrees(value: str, hemisphere: str) -> float:
    """NMEA `ddmm.mmmm` / `dddmm.mmmm` with N/S/E/W to signed decimal degrees."""
    if not value or hemisphere not in ("N", "S", "E", "W"):
        raise ValueError("no position")
    whole, _, _ = value.partition(".")
    degree_digits = len(whole) - 2
    degrees = float(value[:degree_digits]) + float(value[degree_digits:]) / 60
    return round(-degrees if hemisphere in ("S", "W") else degrees, 7)


def open_location(config: LocationConfig) -> Location:
    """The location source a `[location]` table asks for."""
    if config.kind == "fixed":
        assert config.latitude is not None  # noqa: S101 - checked by the config
        assert config.longitude is not None  # noqa: S101 - checked by the config
        return FixedLocation(Fix(config.latitude, config.longitude, heading=config.heading))
    if config.kind == "gpsd":
        return GpsdLocation(config.host, config.port)
    if config.kind == "nmea":
        return NmeaLocation(config.device, config.baud)
    return NoLocation()

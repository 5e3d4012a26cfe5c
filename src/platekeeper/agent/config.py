"""The agent's TOML configuration: typed sections, unknown keys refused with the fix in the message.

A minimal file:

    [server]
    url = "https://alpr.example.gov"
    token_file = "/etc/platekeeper/device-token"

    [[source]]
    kind = "stream"
    url = "rtsp://10.0.0.5/stream1"

Relative paths are resolved against the folder holding the configuration file.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

from platekeeper.errors import PlatekeeperError

SOURCE_KINDS = ("video", "stream", "folder", "device")
LOCATION_KINDS = ("none", "fixed", "gpsd", "nmea")


class ConfigError(PlatekeeperError, ValueError):
    """The configuration file cannot be used; the message names the key and how to fix it."""


@dataclasses.dataclass(frozen=True)
class ServerConfig:
    url: str
    token: str = ""
    token_file: str = ""
    timeout_seconds: float = 30.0


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    kind: str
    name: str = ""
    path: str = ""
    url: str = ""
    device: int = 0
    every_n_frames: int = 3
    loop: bool = False
    realtime: bool = False
    poll_seconds: float = 1.0
    reconnect_seconds: float = 5.0


@dataclasses.dataclass(frozen=True)
class RecognitionConfig:
    engine: str = "default"
    country: str = "us"
    threads: int = 1
    top_n: int = 10
    min_confidence: float = 0.5
    plugins: tuple[str, ...] = ()
    options: dict[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class GroupingConfig:
    max_gap_seconds: float = 1.5
    min_frames: int = 1
    overview: bool = True
    overview_max_width: int = 1280
    jpeg_quality: int = 85


@dataclasses.dataclass(frozen=True)
class LocationConfig:
    kind: str = "none"
    latitude: float | None = None
    longitude: float | None = None
    heading: float | None = None
    host: str = "127.0.0.1"
    port: int = 2947
    device: str = ""
    baud: int = 4800


@dataclasses.dataclass(frozen=True)
class OutboxConfig:
    path: str = "outbox.sqlite3"
    max_disk_mb: float = 2048.0


@dataclasses.dataclass(frozen=True)
class UploadConfig:
    batch_size: int = 100
    interval_seconds: float = 1.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 300.0


@dataclasses.dataclass(frozen=True)
class HotlistConfig:
    enabled: bool = True
    sync_seconds: float = 900.0
    path: str = "hotlists.json"
    alerts_path: str = "alerts.jsonl"
    bell: bool = False
    command: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class HeartbeatConfig:
    interval_seconds: float = 60.0


@dataclasses.dataclass(frozen=True)
class AgentConfig:
    server: ServerConfig
    sources: tuple[SourceConfig, ...]
    recognition: RecognitionConfig = RecognitionConfig()
    grouping: GroupingConfig = GroupingConfig()
    location: LocationConfig = LocationConfig()
    outbox: OutboxConfig = OutboxConfig()
    upload: UploadConfig = UploadConfig()
    hotlists: HotlistConfig = HotlistConfig()
    heartbeat: HeartbeatConfig = HeartbeatConfig()
    log_level: str = "INFO"
    #: Added to the agent's clock. Only for simulating a wrong clock in tests and drills.
    clock_offset_seconds: float = 0.0
    base_dir: Path = Path()

    def resolve(self, path: str) -> Path:
        """A configured path, relative ones taken from the configuration file's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def device_token(self) -> str:
        """The device token: `token`, else PLATEKEEPER_AGENT_TOKEN, else `token_file`."""
        if self.server.token:
            return self.server.token
        if os.environ.get("PLATEKEEPER_AGENT_TOKEN"):
            return os.environ["PLATEKEEPER_AGENT_TOKEN"]
        try:
            return self.resolve(self.server.token_file).read_text().strip()
        except OSError as error:
            raise ConfigError(f"server.token_file: cannot read it ({error})") from None


_SECTIONS: dict[str, type] = {
    "server": ServerConfig,
    "recognition": RecognitionConfig,
    "grouping": GroupingConfig,
    "location": LocationConfig,
    "outbox": OutboxConfig,
    "upload": UploadConfig,
    "hotlists": HotlistConfig,
    "heartbeat": HeartbeatConfig,
}
_TOP_LEVEL = ("log_level", "clock_offset_seconds")


def load_config(path: str | Path) -> AgentConfig:
    """Read and check an agent configuration file."""
    path = Path(path)
    try:
        document = tomllib.loads(path.read_text())
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return parse_config(document, base_dir=path.resolve().parent)


def parse_config(document: dict[str, Any], *, base_dir: Path = Path()) -> AgentConfig:
    """Build an `AgentConfig` from a parsed TOML document."""
    known = {*_SECTIONS, "source", *_TOP_LEVEL}
    for key in document:
        if key not in known:
            raise ConfigError(
                f"{key}: is not a known section or key (known: {', '.join(sorted(known))})"
            )
    if "server" not in document:
        raise ConfigError("server: the [server] section with url and token is required")
    sections = {name: _build(cls, document.get(name, {}), name) for name, cls in _SECTIONS.items()}
    raw_sources = document.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError("source: give at least one [[source]] table (kind = video|stream|...)")
    sources = tuple(
        _build(SourceConfig, table, f"source[{i}]") for i, table in enumerate(raw_sources)
    )
    top = {key: document[key] for key in _TOP_LEVEL if key in document}
    config = AgentConfig(
        sources=sources,
        base_dir=base_dir,
        **sections,
        **_checked_top_level(top),
    )
    _validate(config)
    return config


def _checked_top_level(top: dict[str, Any]) -> dict[str, Any]:
    level = top.get("log_level", "INFO")
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError("log_level: must be DEBUG, INFO, WARNING or ERROR")
    offset = top.get("clock_offset_seconds", 0.0)
    if isinstance(offset, bool) or not isinstance(offset, int | float):
        raise ConfigError("clock_offset_seconds: must be a number")
    return {"log_level": level, "clock_offset_seconds": float(offset)}


def _build(cls: type, table: object, where: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(
                f"{where}.{key}: is not a known key (known: {', '.join(sorted(fields))})"
            )
        values[key] = _coerce(value, hints[key], f"{where}.{key}")
    missing = [
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise ConfigError(f"{where}.{missing[0]}: is required")
    return cls(**values)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _coerce(value, options[0], where)
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: must be a list of strings")
        return tuple(value)
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: must be a table")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: must be a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: must be a whole number, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: must be true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: must be a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {hint!r}")  # pragma: no cover


def _validate(config: AgentConfig) -> None:
    server = config.server
    if not server.url.startswith(("http://", "https://")):
        raise ConfigError("server.url: must start with http:// or https://")
    if not server.token and not server.token_file and not os.environ.get("PLATEKEEPER_AGENT_TOKEN"):
        raise ConfigError(
            "server.token: give token or token_file (from `platekeeper camera add`), "
            "or set PLATEKEEPER_AGENT_TOKEN"
        )
    names = set()
    for i, source in enumerate(config.sources):
        where = f"source[{i}]"
        if source.kind not in SOURCE_KINDS:
            raise ConfigError(f"{where}.kind: must be one of {', '.join(SOURCE_KINDS)}")
        needs = {"video": "path", "folder": "path", "stream": "url"}.get(source.kind)
        if needs and not getattr(source, needs):
            raise ConfigError(f"{where}.{needs}: is required for a {source.kind} source")
        if source.every_n_frames < 1:
            raise ConfigError(f"{where}.every_n_frames: must be at least 1")
        name = source.name or f"{source.kind}{i}"
        if name in names:
            raise ConfigError(f"{where}.name: {name!r} is used by another source")
        names.add(name)
    location = config.location
    if location.kind not in LOCATION_KINDS:
        raise ConfigError(f"location.kind: must be one of {', '.join(LOCATION_KINDS)}")
    if location.kind == "fixed" and (location.latitude is None or location.longitude is None):
        raise ConfigError("location.latitude: a fixed location needs latitude and longitude")
    if location.kind == "nmea" and not location.device:
        raise ConfigError("location.device: the NMEA serial device is required (/dev/ttyUSB0)")
    if config.upload.batch_size < 1 or config.upload.batch_size > 1000:
        raise ConfigError("upload.batch_size: must be between 1 and 1000")
    if config.upload.backoff_initial_seconds <= 0:
        raise ConfigError("upload.backoff_initial_seconds: must be above 0")
    if config.outbox.max_disk_mb <= 0:
        raise ConfigError("outbox.max_disk_mb: must be above 0")
    if not 0 <= config.recognition.min_confidence <= 1:
        raise ConfigError("recognition.min_confidence: must be between 0 and 1")

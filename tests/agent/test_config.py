"""The agent's configuration: typed, relative paths from the file's folder, unknown keys refused."""

from __future__ import annotations

import pytest

from platekeeper.agent.config import ConfigError, load_config, parse_config

MINIMAL = {
    "server": {"url": "http://127.0.0.1:8000", "token": "pkd_x"},
    "source": [{"kind": "video", "path": "pass.mp4"}],
}


def test_a_minimal_file_gets_safe_defaults_and_paths_relative_to_it(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text(
        '[server]\nurl = "http://127.0.0.1:8000"\ntoken_file = "token"\n\n'
        '[[source]]\nkind = "folder"\npath = "drop"\n'
    )
    (tmp_path / "token").write_text("pkd_secret\n")

    config = load_config(path)

    assert config.device_token() == "pkd_secret"
    assert config.resolve(config.outbox.path) == tmp_path / "outbox.sqlite3"
    assert config.recognition.engine == "default"
    assert config.upload.batch_size == 100
    assert config.hotlists.enabled


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"uploads": {}}, "uploads: is not a known section or key"),
        ({"upload": {"batch": 5}}, "upload.batch: is not a known key (known: "),
        ({"upload": {"batch_size": "ten"}}, "upload.batch_size: must be a whole number"),
        ({"upload": {"batch_size": 5000}}, "upload.batch_size: must be between 1 and 1000"),
        ({"source": [{"kind": "webcam"}]}, "source[0].kind: must be one of"),
        ({"source": [{"kind": "stream"}]}, "source[0].url: is required for a stream source"),
        ({"source": []}, "source: give at least one [[source]] table"),
        ({"location": {"kind": "fixed"}}, "location.latitude: a fixed location needs"),
        ({"location": {"kind": "nmea"}}, "location.device: the NMEA serial device is required"),
        ({"server": {"url": "127.0.0.1", "token": "t"}}, "server.url: must start with http"),
        ({"hotlists": {"command": "beep"}}, "hotlists.command: must be a list of strings"),
    ],
)
def test_mistakes_are_refused_naming_the_key(change, message):
    with pytest.raises(ConfigError) as refused:
        parse_config({**MINIMAL, **change})

    assert message in str(refused.value)


def test_a_file_that_is_not_toml_is_refused_readably(tmp_path):
    path = tmp_path / "agent.toml"
    path.write_text("[server\n")

    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(path)

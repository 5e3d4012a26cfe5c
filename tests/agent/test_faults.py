"""Fault tests with real processes over real HTTP on 127.0.0.1: `platekeeper agent` against
`platekeeper serve`. Whatever goes wrong, every read arrives exactly once."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.agent.conftest import (
    FaultProxy,
    agent_toml,
    outbox_depth,
    server_on,
    server_plates,
    server_value,
    wait_for,
    write_plate_images,
    write_video,
)
from tests.support.live import free_port, isolated_environment, run_cli, running_server


def _plates(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(count)]


def _camera(env: dict[str, str], name: str = "Elm St") -> str:
    added = run_cli(env, "camera", "add", name, "--lat", "37.82", "--lon", "-122.23")
    assert added.returncode == 0, added.stderr
    return added.stdout.strip().splitlines()[-1]


def _folder_source(folder: Path) -> str:
    return f'[[source]]\nkind = "folder"\npath = "{folder}"\npoll_seconds = 0.1\n'


@pytest.fixture
def env(tmp_path):
    with isolated_environment(tmp_path / "server") as environment:
        yield environment


def test_server_down_then_back_every_read_arrives_once_and_hotlist_hits_alert_offline(
    tmp_path, env, agents
):
    """GIVEN an agent that synced the hotlists WHEN the server goes down while cars pass THEN
    a hotlisted plate alerts at once, offline, and once the server is back every read arrives
    exactly once (and the server raises its own alert)."""
    token = _camera(env)
    run_cli(env, "hotlist", "create", "Stolen", "--category", "stolen_vehicle", "--priority", "1")
    run_cli(env, "hotlist", "add", "HOT0042", "--list", "Stolen")
    drop, port = tmp_path / "drop", free_port()
    config = agent_toml(tmp_path, f"http://127.0.0.1:{port}", token, sources=_folder_source(drop))
    with server_on(env, port):
        agent = agents(config)
        wait_for((tmp_path / "hotlists.json").exists, 20, "the hotlist sync", lambda: agent.log)

    plates = [*_plates("DOWN", 20), "HOT0042"]
    write_plate_images(drop, plates)
    outbox = tmp_path / "outbox.sqlite3"
    wait_for(lambda: outbox_depth(outbox) == 21, 20, "21 reads queued offline", lambda: agent.log)
    alerts = tmp_path / "alerts.jsonl"
    assert alerts.exists(), agent.log
    assert json.loads(alerts.read_text())["plate"] == "HOT0042"
    assert "HOTLIST HIT HOT0042" in agent.log

    with server_on(env, port):
        wait_for(lambda: outbox_depth(outbox) == 0, 30, "the backlog to drain", lambda: agent.log)
        write_plate_images(drop, _plates("BACK", 5))
        wait_for(lambda: len(server_plates(env)) == 26, 20, "the new reads", lambda: agent.log)

    assert sorted(server_plates(env)) == sorted([*plates, *_plates("BACK", 5)])
    assert server_value(env, "SELECT COUNT(*) FROM alerts_alert") == 1
    assert sorted(p.name for p in (drop / "processed").iterdir()) == sorted(
        f"{p}.png" for p in [*plates, *_plates("BACK", 5)]
    )
    assert "upload failed" in agent.log


def test_agent_killed_mid_upload_and_restarted_loses_and_duplicates_nothing(tmp_path, env, agents):
    """GIVEN the server stored a batch but its answer has not reached the agent WHEN the agent is
    killed with SIGKILL and started again THEN it resends that batch, the server counts
    duplicates, and every read is stored exactly once."""
    token = _camera(env)
    drop = tmp_path / "drop"
    plates = _plates("KILL", 30)
    write_plate_images(drop, plates)
    with running_server(env) as base, FaultProxy(base, plan={2: "hang"}) as proxy:
        config = agent_toml(tmp_path, proxy.url, token, sources=_folder_source(drop))
        agent = agents(config)
        wait_for(proxy.held.is_set, 30, "the second batch to be in flight", lambda: agent.log)
        agent.kill()
        proxy.plan.clear()
        proxy.release.set()
        stored_before_restart = len(server_plates(env))

        restarted = agents(config)
        outbox = tmp_path / "outbox.sqlite3"
        wait_for(
            lambda: len(server_plates(env)) == 30 and outbox_depth(outbox) == 0,
            30,
            "every read after the restart",
            lambda: restarted.log,
        )

    assert stored_before_restart > 0  # the held batch was stored before the kill
    assert sorted(server_plates(env)) == sorted(plates)
    assert sum(a["stored"] for a in proxy.answers) == 30
    assert sum(a["duplicates"] for a in proxy.answers) >= 1  # the resent held batch


def test_intermittent_500s_and_timeouts_still_deliver_exactly_once(tmp_path, env, agents):
    """GIVEN a video of 12 passing cars WHEN the server answers 500 or times out on some batches
    (a timed-out batch was stored, its answer lost) THEN each car is stored once."""
    token = _camera(env)
    video = tmp_path / "passes.avi"
    plates = _plates("VID", 12)
    write_video(video, plates)
    source = f'[[source]]\nkind = "video"\npath = "{video}"\nevery_n_frames = 2\n'
    with (
        running_server(env) as base,
        FaultProxy(base, plan={1: "500", 2: "timeout", 4: "500", 5: "timeout"}) as proxy,
    ):
        config = agent_toml(tmp_path, proxy.url, token, sources=source, batch_size=3)
        agent = agents(config, "--exit-when-done")
        deadline = time.monotonic() + 40
        while agent.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)

    assert agent.process.returncode == 0, agent.log
    assert sorted(server_plates(env)) == sorted(plates)
    assert proxy.posts >= 8
    assert "server answered 500" in agent.log
    assert "ReadTimeout" in agent.log


def test_a_corrupt_image_or_a_broken_video_is_logged_and_skipped(tmp_path, env, agents):
    token = _camera(env)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a jpeg")
    video = tmp_path / "cut.avi"
    write_video(video, _plates("CUT", 6))
    data = video.read_bytes()
    video.write_bytes(data[: len(data) // 2])  # a recording cut off mid-file
    sources = _folder_source(drop) + (
        f'\n[[source]]\nkind = "video"\npath = "{video}"\nevery_n_frames = 1\n'
    )
    with running_server(env) as base:
        config = agent_toml(tmp_path, base, token, sources=sources)
        agent = agents(config)
        wait_for(
            lambda: (drop / "failed" / "broken.jpg").exists(), 20, "the bad file", lambda: agent.log
        )
        write_plate_images(drop, ["GOOD001"])
        wait_for(lambda: "GOOD001" in server_plates(env), 20, "a read after it", lambda: agent.log)

    assert agent.process.poll() is None  # still running until the fixture stops it
    assert "not a readable image" in agent.log
    stored = server_plates(env)
    assert any(p.startswith("CUT") for p in stored)  # the part before the cut still counts
    assert len(stored) == len(set(stored))


def test_an_image_created_empty_is_read_once_its_writer_fills_it(tmp_path, env, agents):
    """GIVEN an uploader that creates a photo's file first and writes it later WHEN the agent
    finds it still empty THEN it waits for it: images beside it are read, and the photo is read
    once written (an empty file ended the folder's watch for good, with an OpenCV error)."""
    token = _camera(env)
    drop = tmp_path / "drop"
    drop.mkdir()
    slow = drop / "SLOW001.png"
    slow.write_bytes(b"")
    with running_server(env) as base:
        agent = agents(agent_toml(tmp_path, base, token, sources=_folder_source(drop)))
        write_plate_images(drop, ["GOOD001"])
        wait_for(lambda: "GOOD001" in server_plates(env), 20, "a read beside it", lambda: agent.log)
        slow.write_bytes(write_plate_images(tmp_path / "staging", ["SLOW001"])[0].read_bytes())
        wait_for(lambda: "SLOW001" in server_plates(env), 20, "the photo", lambda: agent.log)

    assert not (drop / "failed" / slow.name).exists()
    assert sorted(server_plates(env)) == ["GOOD001", "SLOW001"]


def test_a_drop_folder_that_goes_away_is_watched_again_when_it_is_back(tmp_path, env, agents):
    """GIVEN a drop folder on a share WHEN the share goes away for a while THEN the agent says
    so once, waits, and reads what is dropped once it is back (a folder it could not list
    ended its watch for good)."""
    token = _camera(env)
    share, drop = tmp_path / "share", tmp_path / "drop"
    share.mkdir()
    drop.symlink_to(share)  # the mount point
    with running_server(env) as base:
        agent = agents(agent_toml(tmp_path, base, token, sources=_folder_source(drop)))
        write_plate_images(drop, ["BEFORE1"])
        wait_for(lambda: "BEFORE1" in server_plates(env), 20, "the first read", lambda: agent.log)
        share.rename(tmp_path / "unmounted")
        wait_for(lambda: "cannot list" in agent.log, 20, "the share missed", lambda: agent.log)
        (tmp_path / "unmounted").rename(share)
        write_plate_images(drop, ["AFTER01"])
        wait_for(lambda: "AFTER01" in server_plates(env), 20, "a read once back", lambda: agent.log)

    assert agent.log.count("cannot list") == 1
    assert "is back" in agent.log
    assert sorted(server_plates(env)) == ["AFTER01", "BEFORE1"]


def test_an_agent_clock_off_by_an_hour_is_flagged_by_the_server(tmp_path, env, agents):
    token = _camera(env)
    drop = tmp_path / "drop"
    write_plate_images(drop, ["TIME001"])
    with running_server(env) as base:
        config = agent_toml(
            tmp_path,
            base,
            token,
            sources=_folder_source(drop),
            extra="clock_offset_seconds = -3600",
        )
        agent = agents(config)
        wait_for(
            lambda: server_value(env, "SELECT COUNT(*) FROM cameras_camerahealth") == 1,
            20,
            "a heartbeat",
            lambda: agent.log,
        )
        offset = server_value(env, "SELECT clock_offset_seconds FROM cameras_camerahealth")
        wait_for(lambda: "CLOCK:" in agent.log, 10, "the agent's own warning", lambda: agent.log)

    assert -3610 < offset < -3590

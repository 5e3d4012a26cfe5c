"""End to end over real HTTP: a camera registered with the CLI posts to a running server."""

from __future__ import annotations

import httpx
import pytest

from tests.support.factories import read_item
from tests.support.live import isolated_environment, run_cli, running_server

pytestmark = pytest.mark.both_databases


def test_a_camera_added_by_cli_posts_reads_to_a_running_server_exactly_once(tmp_path):
    with isolated_environment(tmp_path) as env:
        added = run_cli(env, "camera", "add", "Moraga Ave", "--lat", "37.83", "--lon", "-122.22")
        assert added.returncode == 0, added.stderr
        token = added.stdout.strip().splitlines()[-1]

        with running_server(env) as base:
            items = [read_item() for _ in range(50)]
            headers = {"Authorization": f"Bearer {token}"}
            first = httpx.post(f"{base}/api/v1/reads", json={"reads": items}, headers=headers)
            again = httpx.post(f"{base}/api/v1/reads", json={"reads": items}, headers=headers)
            refused = httpx.post(f"{base}/api/v1/reads", json={"reads": items})
            schema = httpx.get(f"{base}/api/v1/openapi.json").json()
            home = httpx.get(f"{base}/", follow_redirects=True)

        listed = run_cli(env, "camera", "list")

    assert first.json() == {"stored": 50, "duplicates": 0, "rejected": [], "alerts": []}
    assert again.json() == {"stored": 0, "duplicates": 50, "rejected": [], "alerts": []}
    assert refused.status_code == 401
    assert "/api/v1/reads" in schema["paths"]
    assert home.status_code == 200
    assert "Moraga Ave" in listed.stdout
    assert "never" not in listed.stdout  # last seen is set by the posts

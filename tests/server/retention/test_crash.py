"""A purge killed with SIGKILL part-way leaves nothing broken, and the next run finishes the job.

The purge runs as a real `platekeeper purge` process against its own data dir (and, on
PostgreSQL, its own database). It is killed right after its first batch commits, in the moment
before that batch's image files are deleted: the worst place, leaving files without rows.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.live import isolated_environment, run_cli

pytestmark = pytest.mark.both_databases

REPO = Path(__file__).resolve().parents[3]

SEED = """
import datetime as dt, os
from pathlib import Path
from platekeeper.cli.django_setup import migrate_database
migrate_database()
from django.conf import settings
from platekeeper.server.access.gate import Requester
from platekeeper.server.access.roles import Role
from tests.server.retention.conftest import days_ago, hold_plate, store_reads
from tests.support.factories import CameraFactory
from tests.support.people import make_user

camera = CameraFactory()
for _ in range(6):
    store_reads(camera, captured_at=days_ago(400), count=10, plate="5GONE01")
store_reads(camera, captured_at=days_ago(400), count=5, plate="8HLD001")
store_reads(camera, captured_at=days_ago(3), count=5, plate="7KEEP01")
hold_plate(Requester(make_user("carla", Role.CUSTODIAN), channel="cli"), plate="8HLD001")
# Files of year-old reads are a year old too (the orphan sweep spares young files).
old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=400)).timestamp()
for path in (Path(settings.MEDIA_ROOT) / "images").rglob("*"):
    os.utime(path, (old, old))
"""

CHECK = """
import json
from pathlib import Path
from platekeeper.cli.django_setup import setup_django
setup_django()
from django.conf import settings
from platekeeper.server.access.audit import verify_chain
from platekeeper.server.access.models import AuditEvent
from platekeeper.server.reads.models import Image, Read

media = Path(settings.MEDIA_ROOT)
files = {p.relative_to(media).as_posix() for p in (media / "images").rglob("*") if p.is_file()}
paths = dict(Image.objects.values_list("sha256", "path"))
refs = [d for pair in Read.objects.values_list("plate_crop_id", "overview_id") for d in pair if d]
print(json.dumps({
    "plates": sorted(Read.objects.values_list("plate_normalized", flat=True)),
    "dangling": sum(1 for d in refs if d not in paths or paths[d] not in files),
    "orphan_files": len(files - set(paths.values())),
    "image_rows": len(paths),
    "purges": [[e.query["interrupted"], e.record_count]
               for e in AuditEvent.objects.filter(action="retention.purge").order_by("id")],
    "chain_ok": verify_chain().ok,
}))
"""


def _python(env: dict[str, str], script: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, "-c", script],
        env={**env, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO)])},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _kill_after_first_commit(env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "platekeeper",
            "purge",
            "--batch-size",
            "10",
            "--verbose",
            "--pause-between-batches",
            "30",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        for line in process.stdout:
            if line.startswith("reads: committed"):
                break
            assert time.monotonic() < deadline, "the purge never committed a batch"
        else:
            pytest.fail(f"purge exited before its first batch committed (rc {process.wait()})")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()


def test_a_purge_killed_mid_run_leaves_no_dangling_image_and_the_next_run_cleans_up(tmp_path):
    with isolated_environment(tmp_path / "data") as env:
        _python(env, SEED)

        _kill_after_first_commit(env)
        after_kill = json.loads(_python(env, CHECK))

        assert after_kill["dangling"] == 0
        assert after_kill["plates"].count("5GONE01") == 50  # one batch of 10 went
        assert after_kill["orphan_files"] == 10  # its files were still to be deleted

        resumed = run_cli(env, "purge")
        assert resumed.returncode == 0, resumed.stderr
        assert "Audited 1 interrupted earlier run" in resumed.stdout
        final = json.loads(_python(env, CHECK))

    assert final["dangling"] == 0
    assert final["orphan_files"] == 0
    assert final["plates"] == ["7KEEP01"] * 5 + ["8HLD001"] * 5
    assert final["image_rows"] == 10
    assert final["purges"] == [[True, 10], [False, 50]]
    assert final["chain_ok"]

"""The daily job thread inside serve: runs at once, survives a failing job."""

from __future__ import annotations

import threading

from platekeeper.server.scheduler import start_periodic_jobs


def test_jobs_run_at_start_and_a_failing_job_does_not_stop_the_others():
    ran = threading.Event()

    def broken() -> None:
        raise RuntimeError("disk full")

    stop = start_periodic_jobs([broken, ran.set], interval_seconds=3600)

    assert ran.wait(timeout=5)
    stop.set()

"""Housekeeping inside `platekeeper serve`: background threads that run jobs at intervals."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from django.db import close_old_connections

log = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60


def hotlist_drop_jobs() -> list[Callable[[], object]]:
    """The drop-folder import, run every PLATEKEEPER_HOTLIST_DROP_MINUTES."""
    from platekeeper.server.hotlists.drop_folder import import_dropped_files

    return [import_dropped_files]


def dispatch_jobs() -> list[Callable[[], object]]:
    """Sending queued alerts to dispatch, run every PLATEKEEPER_DISPATCH_SECONDS."""
    from platekeeper.server.dispatch.sender import send_due_deliveries

    return [send_due_deliveries]


def daily_jobs() -> list[Callable[[], object]]:
    """The jobs that run at start-up and then every day."""
    from platekeeper.server.access.audit import verify_and_record, write_checkpoint
    from platekeeper.server.reads.partitions import prepare_days_ahead
    from platekeeper.server.retention.purge import daily_purge
    from platekeeper.server.sharing.selfcheck import run_self_check

    # Tomorrow's partitions first; the purge and the sharing check next, so the day's checkpoint
    # covers their audit records; then the chain is verified against it (the audit page shows
    # the last result).
    return [prepare_days_ahead, daily_purge, run_self_check, write_checkpoint, verify_and_record]


def checkpoint_jobs() -> list[Callable[[], object]]:
    """The audit checkpoint, run every PLATEKEEPER_AUDIT_CHECKPOINT_SECONDS; it writes only when
    events were added since the last one."""
    from platekeeper.server.access.audit import write_checkpoint

    return [write_checkpoint]


def checkpoint_at_shutdown() -> None:
    """The last checkpoint, as `serve` stops, so no event of its final minute goes uncovered."""
    from platekeeper.server.access.audit import write_checkpoint

    try:
        write_checkpoint()
    except Exception:
        log.exception("the audit checkpoint at shutdown failed; run `platekeeper audit checkpoint`")
    finally:
        close_old_connections()


def start_periodic_jobs(
    jobs: Sequence[Callable[[], object]], *, interval_seconds: float = DAY_SECONDS
) -> threading.Event:
    """Run the jobs now and then every interval in a daemon thread; set the returned event to stop.

    A failing job is logged and retried at the next interval; it never stops the server.
    """
    stop = threading.Event()
    chosen = list(jobs)

    def loop() -> None:
        while not stop.is_set():
            for job in chosen:
                try:
                    job()
                except Exception:
                    log.exception("job %s failed; it runs again at its next interval", job.__name__)
                finally:
                    close_old_connections()
            stop.wait(interval_seconds)

    threading.Thread(target=loop, name="platekeeper-jobs", daemon=True).start()
    return stop

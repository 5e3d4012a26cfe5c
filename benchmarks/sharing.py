"""What the sharing checks add to a partner agency's search, with a large audit log.

For each database a fresh data dir gets N reads of a year (as in search.py) and an audit log of
M events (filled by raw SQL, as years of use would leave it), then one MOU with a partner agency
made through the real actions. The same exact-plate search then runs `--repeat` times three
ways: by the department's own investigator, by the partner's officer (the gate also checks the
switch and the agreement against their newest genuine audit records, and writes the sharing
log), and as the raw SQL of the search: the floor.

Usage: python benchmarks/sharing.py [--reads N] [--audit-events M] [--repeat R]
(default 1,000,000 reads and 2,000,000 audit events.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import time

import _harness
import search

AUDIT_SPAN_DAYS = 3 * 365


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=1_000_000)
    parser.add_argument("--audit-events", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_work(args.reads, args.audit_events, args.repeat)))
        return
    rows = []
    for label, url in _harness.databases():
        result = _harness.run_worker(
            __file__, url, "--reads", str(args.reads), "--audit-events",
            str(args.audit_events), "--repeat", str(args.repeat),
        )  # fmt: skip
        for who, timing in result.items():
            rows.append([label, who, timing["p50"], timing["p95"]])
    _harness.print_table(
        f"Exact-plate search (newest 50) on {args.reads:,} reads with {args.audit_events:,} "
        f"audit events: milliseconds, p50 and p95 of {args.repeat} runs",
        ["database", "who", "p50", "p95"],
        rows,
    )


# --- The worker: runs inside the isolated environment, with Django ----------------------


def _work(reads: int, audit_events: int, repeat: int) -> dict:
    from platekeeper.cli.django_setup import setup_django

    setup_django()
    from django.db import connection

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    search._fill(connection, reads, now - dt.timedelta(days=search.DAYS), search._cameras())
    _fill_audit(connection, audit_events, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    own, partner = _people(now.date())
    pool = max(reads // search.PLATES_PER_READ, 1)

    def plate(seed: float) -> str:
        return f"{int(seed * pool):07X}"

    def raw(seed: float) -> None:
        sql, params = (
            "SELECT r.id, r.captured_at, c.name FROM reads_read r JOIN cameras_camera c "
            "ON c.id = r.camera_id WHERE r.plate_normalized = %s "
            "ORDER BY r.captured_at DESC, r.id DESC LIMIT 51",
            [plate(seed)],
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return {
        "own investigator": _time(repeat, lambda seed: _search(own, plate(seed))),
        "partner officer (agreement checked, sharing log)": _time(
            repeat, lambda seed: _search(partner, plate(seed))
        ),
        "raw SQL": _time(repeat, raw),
    }


def _fill_audit(connection, events: int, now: dt.datetime) -> None:
    """Years of searches in the audit log (their hashes are not checked here)."""
    start = now - dt.timedelta(days=AUDIT_SPAN_DAYS)
    step = AUDIT_SPAN_DAYS * 86_400 / max(events, 1)
    columns = (
        "id, occurred_at, username, user_id_at_event, agency, action, outcome, reason, purpose, "
        "case_number, query, record_ids, record_count, client_address, channel, previous_hash, "
        "hash"
    )
    values = (
        "'bench', NULL, '', 'reads.search', 'allowed', '', 'stolen_vehicle', 'B-1', '{}', '[]', "
        "1, '', 'api', '', ''"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO access_auditevent ({columns}) SELECT n, "
                f"%s + n * make_interval(secs => %s), {values} "
                "FROM generate_series(1::bigint, %s) AS n",
                [start, step, events],
            )
        else:
            cursor.execute(
                "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s) "
                f"INSERT INTO access_auditevent ({columns}) SELECT n, "
                f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', %s + n * %s, 'unixepoch'), {values} "
                "FROM seq",
                [events, start.timestamp(), step],
            )


def _people(today: dt.date):
    """The department's investigator, and a partner officer under an MOU made as in life."""
    from platekeeper.server.access.actions import create_user, record_training
    from platekeeper.server.access.gate import Requester
    from platekeeper.server.access.roles import Role
    from platekeeper.server.agencies.models import AgencyType
    from platekeeper.server.sharing.actions import add_agency, add_agreement, set_sharing
    from platekeeper.server.sharing.models import AgreementKind

    setup = Requester.system("bench")
    oakland = add_agency(
        "Oakland Police Department", type=AgencyType.LAW_ENFORCEMENT, jurisdiction="CA",
        requester=setup,
    )  # fmt: skip
    add_agreement(
        oakland, kind=AgreementKind.MOU, reference="MOU bench", scopes=["search"],
        purposes=["stolen_vehicle"], partner_retention_days=365, starts_on=today,
        ends_on=today + dt.timedelta(days=365), approved_by="Chief", approved_on=today,
        requester=setup,
    )  # fmt: skip
    set_sharing(True, requester=setup, reason="bench")
    password = "Quartz-Harbor-Lantern-4711"  # noqa: S105 - a throwaway database's only users
    people = []
    for name, role, agency in (("ines", Role.INVESTIGATOR, None), ("alex", Role.PARTNER, oakland)):
        user = create_user(name, role=role, password=password, requester=setup, agency=agency)
        record_training(name, completed_on=today - dt.timedelta(days=10), requester=setup)
        people.append(Requester(user, channel="api"))
    return people


def _search(requester, plate: str) -> None:
    from platekeeper.server.access.gate import Justification
    from platekeeper.server.reads.queries import search_plate

    search_plate(requester, Justification("stolen_vehicle", "BENCH-1"), plate=plate)


def _time(repeat: int, run) -> dict:
    rng = random.Random(438)
    times = []
    for _ in range(repeat):
        seed = rng.random()
        began = time.perf_counter()
        run(seed)
        times.append((time.perf_counter() - began) * 1000)
    return {"p50": statistics.median(times), "p95": search._p95(times)}


if __name__ == "__main__":
    main()

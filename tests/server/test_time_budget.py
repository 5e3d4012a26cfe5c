"""The time budget of a gated query: a statement that would run for ever is stopped, and the
API answers 503 with Retry-After naming the budget."""

from __future__ import annotations

import os
import threading
import time

import pytest
from django.db import connection, transaction
from django.test import Client

from platekeeper.server.access.actions import create_personal_token
from platekeeper.server.common.budget import time_budget
from platekeeper.server.common.busy import ServerBusy
from tests.support.people import SETUP_REQUESTER, make_user
from tests.support.postgres import pg_connect

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

#: Counts for ever: one CPU pinned until something stops it.
ENDLESS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"


def test_a_statement_that_would_never_end_is_stopped_at_the_budget(settings):
    settings.PLATEKEEPER_QUERY_SECONDS = 0.3
    started = time.monotonic()

    with (
        pytest.raises(ServerBusy, match=r"time budget of 0\.3 s"),
        transaction.atomic(),
        time_budget("reads.search"),
        connection.cursor() as cursor,
    ):
        cursor.execute(ENDLESS)

    assert time.monotonic() - started < 5


def test_no_statement_starts_after_the_budget_is_spent(settings):
    settings.PLATEKEEPER_QUERY_SECONDS = 0.05

    with transaction.atomic(), time_budget("reads.canvass"):
        time.sleep(0.1)  # Python work that used the whole budget
        with pytest.raises(ServerBusy), connection.cursor() as cursor:
            cursor.execute("SELECT 1")


def test_the_budget_ends_with_the_query(settings):
    """The audit event after the query, and the next request on a pooled connection, run
    without it."""
    settings.PLATEKEEPER_QUERY_SECONDS = 0.2
    with transaction.atomic():
        with time_budget("reads.search"), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        time.sleep(0.3)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if connection.vendor == "postgresql":
                cursor.execute("SHOW statement_timeout")
                assert cursor.fetchone()[0] == "0"


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL only: a table lock from a second connection",
)
def test_a_search_stuck_behind_a_lock_answers_503_naming_the_budget(settings):
    """GIVEN a search whose table another connection holds locked WHEN its budget runs out
    THEN the API answers 503 with Retry-After instead of waiting for the lock."""
    settings.PLATEKEEPER_QUERY_SECONDS = 0.5
    make_user("ines")
    token = create_personal_token("ines", requester=SETUP_REQUESTER)[1]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    name = connection.settings_dict["NAME"]
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{name}"

    with pg_connect(url) as blocker, blocker.transaction():
        blocker.execute("LOCK TABLE reads_read IN ACCESS EXCLUSIVE MODE")
        # Without a budget the search would wait as long as the lock is held: end it after 8 s.
        rescue = threading.Timer(8, _terminate, args=(url, blocker.info.backend_pid))
        rescue.start()
        started = time.monotonic()
        response = client.get(
            "/api/v1/reads/search?plate=7ABC123&purpose=stolen_vehicle&case_number=24-1"
        )
        waited = time.monotonic() - started
        rescue.cancel()

    assert response.status_code == 503
    assert response["Retry-After"].isdigit()
    assert "PLATEKEEPER_QUERY_SECONDS" in response.json()["detail"]
    assert waited < 5


def _terminate(url: str, pid: int) -> None:
    with pg_connect(url) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", [pid])

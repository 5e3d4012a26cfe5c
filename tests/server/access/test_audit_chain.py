"""The audit log cannot be altered unnoticed: triggers refuse changes, verify finds tampering."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from platekeeper.server.access.audit import Actor, record_event, verify_chain, write_checkpoint
from platekeeper.server.access.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]


@pytest.fixture
def five_events():
    return [
        record_event(
            actor=Actor("alice", agency="Piedmont PD"),
            action="reads.search",
            query={"plate": f"7ABC12{n}"},
        )
        for n in range(5)
    ]


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _drop_triggers() -> None:
    """What an intruder with database access would do first."""
    if connection.vendor == "postgresql":
        _sql("DROP TRIGGER access_auditevent_no_change ON access_auditevent")
    else:
        _sql("DROP TRIGGER access_auditevent_no_update")
        _sql("DROP TRIGGER access_auditevent_no_delete")


def test_an_honest_log_verifies(five_events):
    result = verify_chain()

    assert result.ok
    assert result.events_checked == 5


def test_the_database_refuses_update_and_delete(five_events):
    for statement in (
        "UPDATE access_auditevent SET username = 'mallory'",
        "DELETE FROM access_auditevent",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _sql(statement)
    assert AuditEvent.objects.count() == 5


def test_an_edited_row_is_named(five_events):
    _drop_triggers()
    _sql("UPDATE access_auditevent SET username = 'mallory' WHERE id = %s", [3])

    result = verify_chain()

    assert not result.ok
    assert result.broken_event_id == 3
    assert "altered" in result.problem


def test_a_deleted_row_is_named(five_events):
    _drop_triggers()
    _sql("DELETE FROM access_auditevent WHERE id = %s", [2])

    result = verify_chain()

    assert (result.ok, result.broken_event_id) == (False, 2)
    assert "missing" in result.problem


def test_reordered_rows_are_detected(five_events):
    _drop_triggers()
    # Swap the content of events 2 and 4, each keeping its own hash: the order has changed.
    _sql("UPDATE access_auditevent SET id = 99 WHERE id = 2")
    _sql("UPDATE access_auditevent SET id = 2 WHERE id = 4")
    _sql("UPDATE access_auditevent SET id = 4 WHERE id = 99")

    result = verify_chain()

    assert (result.ok, result.broken_event_id) == (False, 2)


def test_a_chain_rewritten_without_the_key_fails(five_events):
    import hashlib

    _drop_triggers()
    forged = hashlib.sha256(b"forged").hexdigest()
    _sql("UPDATE access_auditevent SET username = 'mallory', hash = %s WHERE id = 5", [forged])

    assert verify_chain().broken_event_id == 5


def test_removing_the_newest_events_is_caught_by_the_checkpoint(five_events):
    write_checkpoint()
    _drop_triggers()
    _sql("DELETE FROM access_auditevent WHERE id >= 4")

    result = verify_chain()

    assert not result.ok
    assert result.broken_event_id == 5
    assert "checkpoint" in result.problem

"""Make the audit log append-only in the database itself: UPDATE and DELETE are refused."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER access_auditevent_no_update BEFORE UPDATE ON access_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER access_auditevent_no_delete BEFORE DELETE ON access_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS access_auditevent_no_update",
    "DROP TRIGGER IF EXISTS access_auditevent_no_delete",
]
POSTGRES_FORWARD = [
    """CREATE FUNCTION access_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$""",
    """CREATE TRIGGER access_auditevent_no_change BEFORE UPDATE OR DELETE ON access_auditevent
       FOR EACH ROW EXECUTE FUNCTION access_auditevent_append_only()""",
    """CREATE TRIGGER access_auditevent_no_truncate BEFORE TRUNCATE ON access_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION access_auditevent_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS access_auditevent_no_truncate ON access_auditevent",
    "DROP TRIGGER IF EXISTS access_auditevent_no_change ON access_auditevent",
    "DROP FUNCTION IF EXISTS access_auditevent_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("access", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]

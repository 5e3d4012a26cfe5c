"""Alert steps get their own permission, the audit outcome `not_found` fits its column, and
patrol monitoring (`hotlist_alert_response`, no case number) becomes a purpose."""

from django.db import migrations, models


def widen_outcome(apps, schema_editor):
    # PostgreSQL enforces the length; SQLite does not, and rebuilding the table there would
    # drop the append-only triggers, so only PostgreSQL is altered.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE access_auditevent ALTER COLUMN outcome TYPE varchar(12)"
        )


def add_patrol_purpose(apps, schema_editor):
    Purpose = apps.get_model("access", "Purpose")
    Purpose.objects.get_or_create(
        code="hotlist_alert_response",
        defaults={"label": "Hotlist alert response on patrol", "case_number_required": False},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0006_hotlist_sharing_permission"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="outcome",
                    field=models.CharField(
                        choices=[
                            ("allowed", "Allowed"),
                            ("denied", "Denied"),
                            ("not_found", "Not found"),
                        ],
                        max_length=12,
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(widen_outcome, migrations.RunPython.noop)],
        ),
        migrations.RunPython(add_patrol_purpose, migrations.RunPython.noop),
    ]

"""Reads partitioned by day on PostgreSQL, with the key table for global read-id uniqueness.

Not atomic: the conversion of an existing table commits one day at a time and resumes where it
stopped when `migrate` runs again (see `reads.partitions.convert`). SQLite is left as it was.
"""

from django.db import migrations, models


def partition_reads(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from platekeeper.server.reads.partitions import convert

    convert(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("reads", "0002_read_source_from_vendor_registry"),
        # Their links to a read are pointed at the key table, so they must exist first.
        ("alerts", "0001_initial"),
        ("corrections", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReadKey",
                    fields=[
                        ("id", models.UUIDField(primary_key=True, serialize=False)),
                        ("captured_at", models.DateTimeField()),
                        ("plate_crop_id", models.CharField(max_length=64, null=True)),
                        ("overview_id", models.CharField(max_length=64, null=True)),
                    ],
                    options={"db_table": "reads_readkey"},
                ),
            ],
        ),
        migrations.RunPython(partition_reads, migrations.RunPython.noop),
    ]

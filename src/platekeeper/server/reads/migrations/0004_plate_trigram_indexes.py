"""PostgreSQL: trigram indexes on the plate and its look-alike form (`reads.plate_index`).

On a partitioned table each day partition gets its own pair; SQLite is left as it was.
"""

from django.db import migrations

from platekeeper.server.reads.plate_index import LOOKALIKE_FROM, LOOKALIKE_TO


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS read_plate_trgm ON reads_read "
        "USING gin (plate_normalized gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS read_lookalike_trgm ON reads_read USING gin "
        f"(translate(plate_normalized, '{LOOKALIKE_FROM}', '{LOOKALIKE_TO}') gin_trgm_ops)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS read_plate_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS read_lookalike_trgm")


class Migration(migrations.Migration):
    dependencies = [("reads", "0003_day_partitions")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]

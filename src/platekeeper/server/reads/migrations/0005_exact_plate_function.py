"""PostgreSQL: the exact-plate search as a function with one generic plan per session
(`reads.partitions.EXACT_PLATE`); SQLite is left as it was."""

from django.db import migrations

from platekeeper.server.reads.partitions import CREATE_EXACT_PLATE, DROP_EXACT_PLATE


def create_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_EXACT_PLATE)


def drop_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_EXACT_PLATE)


class Migration(migrations.Migration):
    dependencies = [("reads", "0004_plate_trigram_indexes")]

    operations = [migrations.RunPython(create_function, drop_function)]

"""A GIN index on the search vector, on PostgreSQL only.

Declared here rather than in the model's Meta.indexes because SQLite cannot create it: there the column
stays NULL and search falls back to matching the normalised text (vzaemo/onestop/search.py).
"""

from django.db import migrations

INDEX = "onestop_item_search_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON onestop_indexeditem USING gin (search_vector)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("onestop", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]

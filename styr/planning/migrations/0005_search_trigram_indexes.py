"""Search on PostgreSQL: trigram indexes on the upper-cased texts that search compares with
LIKE, so that finding a word among tens of thousands of goals does not read every row. SQLite
has no such index; there the migration does nothing."""

from django.db import migrations

SEARCHED = {
    "planning_goal": ("code", "title", "description"),
    "planning_indicator": ("code", "name", "description"),
    "planning_activity": ("code", "title", "description"),
}


def _statements(create: bool) -> list[str]:
    statements = []
    for table, columns in SEARCHED.items():
        for column in columns:
            name = f"{table}_{column}_trgm"
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
                if create
                else f"DROP INDEX IF EXISTS {name}"
            )
    return statements


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in _statements(create=True):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in _statements(create=False):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("planning", "0004_activity_version_assignment_version_goal_version_and_more")]

    operations = [migrations.RunPython(forwards, backwards)]

"""Drop the single-column index on ``event.organization``: every index of the table starts with
it, and each recorded event paid for one more B-tree. Dropped by name (``AlterField`` would copy
the whole table on SQLite)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("core", "0002_rate_buckets"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="accounts.organization",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "core_event_organization_id_a2ce68e9"',
                    reverse_sql='CREATE INDEX "core_event_organization_id_a2ce68e9" '
                    'ON "core_event" ("organization_id")',
                ),
            ],
        ),
    ]

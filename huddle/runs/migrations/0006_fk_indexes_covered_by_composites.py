"""Drop the single-column indexes on ``run.organization`` and ``run.workflow``: ``run_org_time``
and ``run_workflow`` start with those columns, and each recorded run paid for two more B-trees.

The database part drops the indexes by name instead of letting ``AlterField`` act: on SQLite that
would copy the whole runs table.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "runs_run_organization_id_f8dd9ba6": "organization_id",
    "runs_run_workflow_id_a08af1d8": "workflow_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("library", "0004_search_document"),
        ("runs", "0005_run_mode_mcp"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="run",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="runs",
                        to="accounts.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="run",
                    name="workflow",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="runs",
                        to="library.workflow",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "runs_run" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
        ),
    ]

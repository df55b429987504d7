"""Less upkeep for every imported row (see ``Conversation`` and ``Prompt``).

The single-column indexes of the conversations' and prompts' organisation and owner go:
``conversation_identity`` and ``prompt_org_owner`` lead with the same columns and every query
names the organisation; on PostgreSQL the owner's index also misled the planner during an
import. They are dropped by name rather than by ``AlterField``, which would rebuild both tables on
SQLite and re-validate the foreign keys on PostgreSQL; the names are the ones Django gave them on
both databases. Then the prompts' organisation and owner lose their foreign-key constraints (the
conversation's hold the same rows); SQLite rebuilds the prompt table for that.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    ("capture_conversation_organization_id_ff2ad963", "capture_conversation", "organization_id"),
    ("capture_conversation_owner_id_2ba9b08d", "capture_conversation", "owner_id"),
    ("capture_prompt_owner_id_741ec710", "capture_prompt", "owner_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("capture", "0004_prompt_index_without_hash"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for name, table, column in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="conversation",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to="accounts.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="conversation",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="conversations",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="prompt",
                    name="owner",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="prompt",
            name="organization",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="accounts.organization",
            ),
        ),
        migrations.AlterField(
            model_name="prompt",
            name="owner",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]

"""Imports write in short transactions, each row tagged with its ``ImportRun`` (the rollback
record); jobs hold a lease (worker, heartbeat, attempts) and say how pattern mining goes.

The prompts' index on (organisation, owner) becomes (organisation, owner, run): the same reads,
plus an import's rows to roll back; the new index is built before the old one goes.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('capture', '0005_owner_indexes_covered'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('writing', 'Writing'), ('rolling_back', 'Rolling back'), ('rolled_back', 'Rolled back'), ('done', 'Done')], default='writing', max_length=16)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.AddField(
            model_name='importjob',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='importjob',
            name='mining',
            field=models.CharField(blank=True, choices=[('waiting', 'Waiting to look for patterns'), ('running', 'Looking for patterns'), ('done', 'Patterns found'), ('failed', 'Looking for patterns stopped')], max_length=16),
        ),
        migrations.AddField(
            model_name='importjob',
            name='task_id',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='importjob',
            name='worker',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('mining__in', ['waiting', 'running', 'done', 'failed', ''])), name='importjob_mining_valid'),
        ),
        migrations.AddField(
            model_name='importrun',
            name='job',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='runs', to='capture.importjob'),
        ),
        migrations.AddField(
            model_name='importrun',
            name='organization',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.organization'),
        ),
        migrations.AddField(
            model_name='importrun',
            name='owner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='conversation',
            name='import_run',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='capture.importrun'),
        ),
        migrations.AddField(
            model_name='prompt',
            name='import_run',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='capture.importrun'),
        ),
        migrations.AddIndex(
            model_name='prompt',
            index=models.Index(fields=['organization', 'owner', 'import_run'], name='prompt_org_owner_run'),
        ),
        migrations.RemoveIndex(
            model_name='prompt',
            name='prompt_org_owner',
        ),
        migrations.AddConstraint(
            model_name='importrun',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('writing', 'rolling_back'))), fields=('organization', 'owner'), name='import_run_one_per_member'),
        ),
        migrations.AddConstraint(
            model_name='importrun',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['writing', 'rolling_back', 'rolled_back', 'done'])), name='import_run_status_valid'),
        ),
    ]

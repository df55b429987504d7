"""Migrations ``context/0003`` and ``usage/0002`` (the shared job base's lease fields) keep the
jobs already there, in every state, on SQLite and PostgreSQL; the sweep then treats a usage
import left "writing" by a worker of the previous version as one whose worker stopped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from huddle.context.models import UploadJob
from huddle.core import jobs
from huddle.usage.models import UsageImport

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("context", "0002_upload_jobs"), ("usage", "0001_initial")]
AFTER = [("context", "0003_upload_job_lease"), ("usage", "0002_usage_import_lease")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_jobs_in_every_state_survive_the_migration(admin):
    org, user = admin.org, admin.user
    try:
        old = _migrate(BEFORE)
        Upload = old.get_model("context", "UploadJob")
        Usage = old.get_model("usage", "UsageImport")
        for status in ("queued", "running", "done", "failed"):
            Upload.objects.create(
                organization_id=org.pk,
                owner_id=user.pk,
                action="create",
                kind="other",
                status=status,
                file_name=f"{status}.csv",
                percent=40,
                error="boom" if status == "failed" else "",
            )
        for status in ("queued", "writing", "done", "refused", "failed"):
            Usage.objects.create(
                organization_id=org.pk,
                created_by_id=user.pk,
                source="chatgpt",
                status=status,
                file_name=f"{status}.csv",
                file="usage/left.csv" if status == "writing" else "",
                rows_read=7,
                report={"rows": 7},
            )
    finally:
        _migrate(AFTER)
    uploads = {j.status: j for j in UploadJob.objects.all()}
    assert set(uploads) == {"queued", "running", "done", "failed"}
    assert uploads["failed"].error == "boom"
    assert {(j.attempts, j.worker, j.task_id, j.percent) for j in uploads.values()} == {
        (0, "", "", 40)
    }
    usages = {u.status: u for u in UsageImport.objects.all()}
    assert set(usages) == {"queued", "writing", "done", "refused", "failed"}
    assert all(u.report == {"rows": 7} and u.rows_read == 7 for u in usages.values())
    assert {status for status, u in usages.items() if u.finished} == {"done", "refused", "failed"}
    # A "writing" row from before has no heartbeat: its worker is gone. It is queued again.
    later = timezone.now() + timedelta(minutes=10)
    assert jobs.sweep(UsageImport, now=later) == 1
    usages["writing"].refresh_from_db()
    assert (usages["writing"].status, usages["writing"].error) == ("queued", "")

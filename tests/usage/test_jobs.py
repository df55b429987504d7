"""Usage imports hold the same lease as chat-export imports and uploads (``core.jobs``): one
whose worker stopped is queued again once, then failed with a clear message, its file removed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from huddle.core import jobs
from huddle.core.tasks import sweep_task
from huddle.usage import services
from huddle.usage.models import ImportStatus, UsageImport, UsageWeek
from tests.imports.conftest import work
from tests.usage.test_interfaces import chatgpt_file

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What a ``kill -9`` looks like from inside: the process stops, nothing cleans up."""


def _later(minutes: int = 10):
    return timezone.now() + timedelta(minutes=minutes)


def _upload(client) -> UsageImport:
    upload = SimpleUploadedFile("week.csv", chatgpt_file(), content_type="text/csv")
    response = client.post("/o/acme/usage/imports/", {"source": "chatgpt", "file": upload})
    assert response.status_code == 302
    return UsageImport.objects.get()


def _worker_takes_it_and_dies(record: UsageImport) -> None:
    """A worker takes the task and claims the job, then is killed before it writes anything."""
    DBTaskResult.objects.filter(id=record.task_id).update(status="RUNNING")
    assert jobs.claim(UsageImport, record.pk) is not None


def _swept(now=None) -> int:
    return jobs.sweep_all(now=now)["usage.usageimport"]["stopped"]


def test_a_usage_import_whose_worker_died_is_retried_once_then_failed_and_its_file_removed(
    admin, login, api_client, media
):
    client = login(admin)
    record = _upload(client)
    stored = media / record.file.name
    first_task = record.task_id
    _worker_takes_it_and_dies(record)
    assert _swept() == 0  # its lease has not run out yet
    assert _swept(now=_later()) == 1
    record.refresh_from_db()
    assert (record.status, record.attempts, record.error) == ("queued", 1, "")
    lost = DBTaskResult.objects.get(id=first_task)
    assert lost.status == "FAILED"
    assert lost.exception_class_path == "huddle.core.jobs.WorkerStopped"
    assert record.task_id != first_task  # queued again
    assert stored.exists()

    _worker_takes_it_and_dies(record)
    assert _swept(now=_later()) == 1
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("failed", 2)
    assert record.error == UsageImport.STOPPED
    assert not record.file
    assert not stored.exists()
    assert not UsageWeek.objects.exists()
    page = client.get(f"/o/acme/usage/imports/{record.public_id}/").content.decode()
    assert "stopped twice before it finished" in page
    body = api_client(admin).get(f"/api/v1/usage/imports/{record.public_id}").json()
    assert (body["status"], body["error"]) == ("failed", UsageImport.STOPPED)
    assert work() == 0  # nothing left queued for it


def test_a_usage_import_killed_while_writing_is_finished_by_its_retry(
    admin, login, media, monkeypatch
):
    record = _upload(login(admin))
    monkeypatch.setattr(services, "BATCH", 1)
    monkeypatch.setattr(services, "_finish", lambda *a, **k: True)  # a dead process ends nothing
    original = services._write

    def dies_after_one_batch(organization, parsed, users, record, on_progress):
        def progress(stage, done, total):
            on_progress(stage, done, total)
            raise Killed()

        return original(organization, parsed, users, record, progress)

    monkeypatch.setattr(services, "_write", dies_after_one_batch)
    DBTaskResult.objects.filter(id=record.task_id).update(status="RUNNING")
    with pytest.raises(Killed):
        services.upload_run(record.pk)
    monkeypatch.undo()
    record.refresh_from_db()
    assert (record.status, UsageWeek.objects.count()) == ("writing", 1)

    assert _swept(now=_later()) == 1
    assert work() == 1  # the retry
    record.refresh_from_db()
    assert (record.status, record.attempts, record.error) == ("done", 2, "")
    assert record.report["matched"] == 1
    assert UsageWeek.objects.get(user__email="admin@acme.test").messages == 12
    assert not record.file
    assert list(media.joinpath("usage").iterdir()) == []


def test_a_cli_usage_import_whose_process_died_is_failed_at_once(org, admin):
    record = UsageImport.objects.create(
        organization=org, source="chatgpt", file_name="week.csv", **jobs.held_here(UsageImport)
    )
    assert _swept(now=_later()) == 1
    record.refresh_from_db()
    assert (record.status, record.error) == ("failed", UsageImport.CLI_STOPPED)


def test_a_worker_that_lost_its_usage_import_does_not_end_it(admin, login, monkeypatch):
    """A worker stuck past the lease finds at its next heartbeat that the sweep queued the job
    again: it stops, and the job stays the sweep's (the retry imports it)."""
    record = _upload(login(admin))
    monkeypatch.setattr(jobs, "BEAT_EVERY", 0)
    original = services._write

    def stuck(organization, parsed, users, record, on_progress):
        assert _swept(now=_later()) == 1  # meanwhile, the sweep took it
        return original(organization, parsed, users, record, on_progress)

    monkeypatch.setattr(services, "_write", stuck)
    DBTaskResult.objects.filter(id=record.task_id).update(status="RUNNING")  # as a worker does
    services.upload_run(record.pk)
    record.refresh_from_db()
    assert (record.status, record.attempts) == ("queued", 1)
    monkeypatch.undo()
    assert work() == 1
    record.refresh_from_db()
    assert record.status == ImportStatus.DONE


def test_the_worker_s_sweep_covers_every_kind_of_job(org):
    found = sweep_task.call()
    assert set(found) == {
        "capture.importjob",
        "capture.miningjob",
        "context.uploadjob",
        "usage.usageimport",
    }
    assert found["capture.importjob"] == {"imports": 0, "minings": 0, "runs": 0, "lost": 0}

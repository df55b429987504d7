"""Imports in short transactions with a rollback record, leases, the sweep of jobs whose worker
stopped, and the pattern mining after an import as its own task."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from huddle.capture.importers import jobs, writer
from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.models import ImportRun, MiningStatus, RunStatus
from huddle.capture.importers.rows import Rows
from huddle.capture.models import Conversation, ImportJob, Pattern, Prompt
from huddle.core.stats import organization_stats
from tests.imports.builders import simple_chat, write_zip
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db

POST = "Write a LinkedIn post about {} for {}. No emojis."
FILLS = [("Huddle", "CFOs"), ("Rituals", "founders"), ("the CRM", "marketers")]


def _chats(count: int, prefix: str = "c") -> list[dict]:
    return [simple_chat(f"{prefix}{n}", f"prompt {n}", f"follow-up {n}") for n in range(count)]


def _export(tmp_path, chats, name="export.json"):
    path = tmp_path / name
    path.write_text(json.dumps(chats))
    return path


def _upload(tmp_path, chats) -> SimpleUploadedFile:
    return SimpleUploadedFile("export.json", json.dumps(chats).encode(), "application/json")


class Killed(BaseException):
    """What a ``kill -9`` looks like from inside: the process stops, nothing cleans up."""


@pytest.fixture
def stop_after(monkeypatch):
    """``stop_after(n)``: the import's process "dies" once it has written n batches (its run
    stays as it was: a dead process rolls nothing back)."""

    def arm(batches: int) -> None:
        original, written = Rows.write, []

        def write(self, batch, report):
            if len(written) == batches:
                monkeypatch.setattr(writer, "run_rollback", lambda run: None)
                raise Killed()
            original(self, batch, report)
            written.append(len(batch))

        monkeypatch.setattr(Rows, "write", write)

    return arm


def _patterns_found(member) -> int:
    from huddle.capture.importers.patterns import patterns_mine

    return len(patterns_mine(actor=member.actor))


def _later(minutes: int = 10):
    return timezone.now() + timedelta(minutes=minutes)


def test_an_import_s_rows_are_hidden_until_it_is_done(member, tmp_path, monkeypatch):
    """Batches are written as they come, but nobody sees a half-finished import: not the
    counts, not the mining, not the member's pages."""
    monkeypatch.setattr(writer, "BATCH", 2)
    seen: list[tuple[int, int, int]] = []
    original = Rows.write

    def write(self, batch, report):
        original(self, batch, report)
        counts = organization_stats(member.org)
        patterns = _patterns_found(member)
        seen.append((Prompt.objects.count(), counts["prompts"], patterns))

    monkeypatch.setattr(Rows, "write", write)
    chats = [simple_chat(f"c{n}", POST.format(*fill)) for n, fill in enumerate(FILLS)]
    writer.import_export(actor=member.actor, source="chatgpt", path=str(_export(tmp_path, chats)))
    assert [written for written, _, _ in seen] == [2, 3]  # written by batches
    assert [(counted, mined) for _, counted, mined in seen] == [(0, 0), (0, 0)]
    assert organization_stats(member.org)["prompts"] == 3
    assert _patterns_found(member) == 1


def test_a_refusal_late_in_a_big_export_deletes_exactly_what_the_import_wrote(
    member, outsider, tmp_path, monkeypatch
):
    """A first import stays as it was (titles too); the second, refused in its last file after
    several batches, leaves none of its rows."""
    monkeypatch.setattr(writer, "BATCH", 500)
    original, written = Rows.write, []

    def write(self, batch, report):
        original(self, batch, report)
        written.append(Prompt.objects.count())

    monkeypatch.setattr(Rows, "write", write)
    first = _chats(5)
    writer.import_export(actor=member.actor, source="chatgpt", path=str(_export(tmp_path, first)))
    writer.import_export(
        actor=outsider.actor, source="chatgpt", path=str(_export(tmp_path, _chats(3)))
    )
    before = sorted(Prompt.objects.values_list("pk", "text"))
    renamed = simple_chat("c0", "prompt 0", "follow-up 0", "a third prompt")
    renamed["title"] = "A new title"
    files = {
        "conversations-000.json": [renamed, *_chats(1200, prefix="big")],
        "conversations-001.json": b'[{"id": ',
    }
    path = write_zip(tmp_path / "big.zip", files)
    written.clear()
    with pytest.raises(ImportRefused, match=r"conversations-001\.json is truncated"):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    # Two batches were in the database before the refusal: c0's new prompt, then 999 and 1,000.
    assert written == [len(before) + 999, len(before) + 1999]
    assert sorted(Prompt.objects.values_list("pk", "text")) == before
    assert Conversation.objects.get(owner=member.user, external_id="c0").title == "prompt 0"
    run = ImportRun.objects.order_by("pk").last()
    assert run.status == RunStatus.ROLLED_BACK
    assert run.job.status == "failed"
    assert "is truncated" in run.job.error


def test_importing_the_same_export_again_adds_nothing(member, tmp_path):
    path = str(_export(tmp_path, _chats(7)))
    writer.import_export(actor=member.actor, source="chatgpt", path=path)
    again = writer.import_export(actor=member.actor, source="chatgpt", path=path)
    assert (again.conversations, again.prompts, again.duplicates) == (0, 0, 7)
    assert Prompt.objects.committed(member.org).count() == 14


def test_the_cli_refuses_a_second_import_of_a_member_while_one_is_writing(member, tmp_path, cli):
    path = _export(tmp_path, _chats(2))
    job = jobs.cli_job_start(actor=member.actor, source="chatgpt", path=str(path))
    ImportRun.objects.create(organization=member.org, owner=member.user, job=job)
    code, _, err = cli("import", "chatgpt", path, "--org", "acme", "--user", member.user.email)
    assert (code, err) == (2, "Error: You have another import running; this one can start when "
                                "it has finished.")  # fmt: skip
    assert not Prompt.objects.exists()


def test_a_queued_job_waits_for_the_members_other_import(member, tmp_path):
    job = jobs.import_job_create(actor=member.actor, source="chatgpt", upload=_upload(tmp_path, []))
    other = jobs.cli_job_start(actor=member.actor, source="claude", path="x.zip")
    ImportRun.objects.create(organization=member.org, owner=member.user, job=other)
    jobs.import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("queued", 0, "")
    waiting = DBTaskResult.objects.get(id=job.task_id)
    assert (waiting.status, waiting.run_after > timezone.now()) == ("READY", True)
    assert job.file  # kept for when it starts


def test_a_job_whose_worker_stopped_is_imported_again_once(
    member, tmp_path, media, stop_after, monkeypatch
):
    """The sweep rolls back what the dead worker wrote, marks its task failed and queues the
    job again; the next worker imports it whole."""
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, _chats(9))
    )
    first_task = job.task_id
    monkeypatch.setattr(writer, "BATCH", 2)
    stop_after(2)
    with pytest.raises(Killed):
        jobs.import_job_run(job.pk)
    monkeypatch.undo()
    DBTaskResult.objects.filter(id=first_task).update(status="RUNNING")  # as the worker left it
    job.refresh_from_db()
    assert (job.status, Prompt.objects.count()) == ("running", 8)
    assert Prompt.objects.committed(member.org).count() == 0

    assert jobs.sweep()["imports"] == 0  # its lease has not run out yet
    assert jobs.sweep(now=_later())["imports"] == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("queued", 1, "")
    assert Prompt.objects.count() == 0
    assert list(job.runs.values_list("status", flat=True)) == ["rolled_back"]
    lost = DBTaskResult.objects.get(id=first_task)
    assert lost.status == "FAILED"
    assert lost.exception_class_path == "huddle.capture.importers.jobs.WorkerStopped"
    assert media.joinpath(job.file.name).exists()

    assert work() == 2  # the import again, then its mining
    job.refresh_from_db()
    assert (job.status, job.mining, job.report["prompts"]) == ("done", "done", 18)
    assert Prompt.objects.committed(member.org).count() == Prompt.objects.count() == 18
    assert list(media.joinpath("imports").iterdir()) == []


def test_a_job_whose_worker_stopped_twice_fails_and_its_files_go(
    login, member, tmp_path, media, stop_after, monkeypatch
):
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, _chats(3))
    )
    monkeypatch.setattr(writer, "BATCH", 1)
    for _ in range(2):
        stop_after(1)
        with pytest.raises(Killed):
            jobs.import_job_run(job.pk)
        monkeypatch.undo()
        monkeypatch.setattr(writer, "BATCH", 1)
        jobs.sweep(now=_later())
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("failed", 2, jobs.STOPPED)
    assert not Prompt.objects.exists()
    assert not job.file
    assert list(media.joinpath("imports").iterdir()) == []  # no upload, no progress file
    page = login(member).get(f"/o/acme/captures/imports/{job.public_id}/")
    assert "The worker stopped while importing this file; try again." in page.content.decode()
    assert b"every 1s" not in page.content  # nothing left to wait for


def test_a_cli_import_whose_process_died_is_rolled_back_by_the_sweep(
    member, tmp_path, stop_after, monkeypatch
):
    monkeypatch.setattr(writer, "BATCH", 1)
    stop_after(2)
    path = _export(tmp_path, _chats(4))
    with pytest.raises(Killed):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    job = ImportJob.objects.get()
    assert (job.status, job.file_name, Prompt.objects.count()) == ("running", path.name, 4)
    jobs.sweep(now=_later())
    job.refresh_from_db()
    assert (job.status, job.error) == ("failed", jobs.CLI_STOPPED)
    assert not Prompt.objects.exists()
    assert not Conversation.objects.exists()


def test_a_worker_that_lost_its_job_stops_and_takes_its_rows_back(member, tmp_path, monkeypatch):
    """A worker silent for longer than the lease (not dead, stuck) finds at its next heartbeat
    that the sweep gave its job to another attempt: it stops, rolls back its own rows and can't
    mark the job done."""
    monkeypatch.setattr(writer, "BATCH", 2)
    monkeypatch.setattr(jobs, "BEAT_EVERY", 0)
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, _chats(6))
    )
    original, swept = Rows.write, []

    def write(self, batch, report):
        original(self, batch, report)
        if not swept:
            swept.append(jobs.sweep(now=_later()))  # the sweep, while this worker was stuck

    monkeypatch.setattr(Rows, "write", write)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")  # as a worker does
    jobs.import_job_run(job.pk)
    job.refresh_from_db()
    assert swept[0]["imports"] == 1
    assert (job.status, job.attempts) == ("queued", 1)  # the sweep's, untouched since
    assert not Prompt.objects.exists()
    monkeypatch.setattr(Rows, "write", original)
    assert work() == 2
    job.refresh_from_db()
    assert (job.status, job.report["prompts"]) == ("done", 12)


def test_the_job_is_done_when_the_import_is_and_the_page_then_waits_for_the_patterns(
    login, member, tmp_path
):
    chats = [simple_chat(f"c{n}", POST.format(*fill)) for n, fill in enumerate(FILLS)]
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, chats)
    )
    assert work("default") == 1  # the import
    job.refresh_from_db()
    assert (job.status, job.mining, "patterns" in job.report) == ("done", "waiting", False)
    mining = DBTaskResult.objects.get(id=job.task_id)
    assert (mining.queue_name, mining.status) == ("mining", "READY")
    client = login(member)
    page = client.get(f"/o/acme/captures/imports/{job.public_id}/", headers={"HX-Request": "1"})
    assert b"3</strong> prompts" in page.content
    assert b"Waiting to look for patterns" in page.content
    assert b"every 1s" in page.content  # still polling
    assert work() == 1
    page = client.get(f"/o/acme/captures/imports/{job.public_id}/", headers={"HX-Request": "1"})
    assert b"See your patterns (1)" in page.content
    assert b"every 1s" not in page.content
    assert Pattern.objects.count() == 1


def test_pattern_mining_whose_worker_stopped_fails_and_says_so(login, member, tmp_path):
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, _chats(2))
    )
    job = jobs.import_job_run(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(mining=MiningStatus.RUNNING)  # a worker took it
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING")
    assert jobs.sweep()["minings"] == 0
    assert jobs.sweep(now=_later())["minings"] == 1
    job.refresh_from_db()
    assert (job.status, job.mining) == ("done", "failed")
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    page = login(member).get(f"/o/acme/captures/imports/{job.public_id}/")
    assert b"Looking for patterns stopped before it finished" in page.content


def test_a_task_taken_by_a_worker_that_died_at_once_is_queued_again(member, tmp_path):
    job = jobs.import_job_create(
        actor=member.actor, source="chatgpt", upload=_upload(tmp_path, _chats(2))
    )
    lost = job.task_id
    DBTaskResult.objects.filter(id=lost).update(status="RUNNING")  # claimed, then kill -9
    assert jobs.sweep()["lost"] == 0  # not yet: it may only be starting
    assert jobs.sweep(now=_later())["lost"] == 1
    job.refresh_from_db()
    assert job.task_id != lost
    assert DBTaskResult.objects.get(id=lost).status == "FAILED"
    assert work() == 2
    job.refresh_from_db()
    assert job.status == "done"


@pytest.mark.django_db(transaction=True)
def test_the_upload_is_stored_before_the_job_s_transaction(member, tmp_path, monkeypatch):
    """Copying an upload inside the transaction held SQLite's write lock for every
    organisation while it copied."""
    from django.core.files.storage import FileSystemStorage

    in_transaction: list[bool] = []
    save = FileSystemStorage._save

    def recording(self, name, content):
        in_transaction.append(connection.in_atomic_block)
        return save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", recording)
    jobs.import_job_create(actor=member.actor, source="chatgpt", upload=_upload(tmp_path, []))
    assert in_transaction == [False]


def test_a_job_that_can_t_be_queued_leaves_no_file(member, tmp_path, media, monkeypatch):
    from django_tasks_db.backend import DatabaseBackend

    def broken(*args, **kwargs):
        raise RuntimeError("the queue is down")

    monkeypatch.setattr(DatabaseBackend, "enqueue", broken)
    with pytest.raises(RuntimeError):
        jobs.import_job_create(actor=member.actor, source="chatgpt", upload=_upload(tmp_path, []))
    assert not ImportJob.objects.exists()
    assert list(media.joinpath("imports").iterdir()) == []


def test_look_again_whose_worker_stopped_is_started_again_once_then_fails(login, member):
    from huddle.capture.models import MiningJob
    from huddle.core import jobs as core_jobs

    mining = jobs.mining_job_create(actor=member.actor)
    for attempt in (1, 2):
        DBTaskResult.objects.filter(id=mining.task_id).update(status="RUNNING")
        assert core_jobs.claim(MiningJob, mining.pk) is not None  # then kill -9
        assert core_jobs.sweep_all(now=_later())["capture.miningjob"] == {"stopped": 1}
        mining.refresh_from_db()
        assert mining.attempts == attempt
    assert (mining.status, mining.error) == ("failed", MiningJob.STOPPED)
    page = login(member).get(f"/o/acme/captures/patterns/mining/{mining.public_id}/")
    assert "The worker stopped while looking for patterns; look again." in page.content.decode()


def test_look_again_is_private_and_rate_limited(login, member, personas, monkeypatch):
    from huddle.core import ratelimit

    mining = jobs.mining_job_create(actor=member.actor)
    for who in ("owner", "admin", "editor", "viewer", "outsider"):
        page = login(personas[who]).get(f"/o/acme/captures/patterns/mining/{mining.public_id}/")
        assert page.status_code == 404, who
    monkeypatch.setitem(ratelimit.LIMITS, "mining", ratelimit.Limit(1, 3600))
    assert work() == 1
    refused = login(member).post("/o/acme/captures/patterns/mine/")
    assert refused.status_code == 429
    assert "You looked for patterns many times in the last hour." in refused.content.decode()

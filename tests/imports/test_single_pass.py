"""One pass, written by batches in short transactions: a file refused half-way leaves nothing;
progress is on the job's row."""

from __future__ import annotations

import json
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.capture.importers import jobs, jsonlist, writer
from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.rows import Rows
from huddle.capture.models import Conversation, ImportedItem, ImportJob, ImportSignals, Prompt
from huddle.core.models import Event
from huddle.library.models import Workflow
from tests.imports.builders import chatgpt_zip, rich_chatgpt, simple_chat, write_zip
from tests.imports.conftest import work

# Each test runs with the export parsed in the importing process and in a child process.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parsing")]

CHATS = [simple_chat(f"c{n}", f"prompt {n}", f"follow-up {n}") for n in range(12)]


@pytest.fixture
def written(monkeypatch):
    """Small batches, and a count of the prompts each batch wrote before the end."""
    monkeypatch.setattr(writer, "BATCH", 2)
    counts: list[int] = []
    original = Rows.write

    def write(self, batch, report):
        original(self, batch, report)
        counts.append(Prompt.objects.count())

    monkeypatch.setattr(Rows, "write", write)
    return counts


def _nothing_left() -> None:
    for model in (Conversation, Prompt, Workflow, ImportedItem, ImportSignals, Event):
        assert not model.objects.exists(), model


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (json.dumps([*rich_chatgpt(), *CHATS])[:-40], "conversations.json is truncated"),
        (json.dumps([*rich_chatgpt(), *CHATS, 7]), "conversation 19 is not an object"),
        (
            json.dumps([*rich_chatgpt(), *CHATS]).replace("prompt 11", "prompt \udcff"),
            "not valid UTF-8",
        ),
    ],
    ids=["truncated", "wrong shape", "invalid utf-8"],
)
def test_a_file_refused_half_way_leaves_no_row(member, tmp_path, written, content, message):
    raw = content.encode("utf-8", "surrogateescape")
    path = write_zip(tmp_path / "export.zip", {"conversations.json": raw})
    with pytest.raises(ImportRefused, match=message):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert written, "no batch was written before the refusal"
    assert written[-1] > 0
    _nothing_left()


def test_a_bad_later_split_file_undoes_the_earlier_ones(member, tmp_path, written):
    files = {"conversations-000.json": CHATS, "conversations-001.json": b"[{"}
    path = write_zip(tmp_path / "split.zip", files)
    with pytest.raises(ImportRefused, match=r"conversations-001\.json is truncated"):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert written[-1] == 24
    _nothing_left()


def test_duplicates_across_batches_are_written_once(member, tmp_path, written):
    chats = [*CHATS, simple_chat("c0", "prompt 0", "follow-up 0", "third 0")]
    path = chatgpt_zip(tmp_path / "dup.zip", chats)
    report = writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert (report.conversations, report.prompts, report.duplicates) == (13, 25, 0)
    assert Conversation.objects.count() == 12
    assert Prompt.objects.filter(conversation__external_id="c0").count() == 3


def test_progress_is_visible_to_the_job_page_while_the_import_runs(
    login, member, tmp_path, media, monkeypatch, written
):
    """Progress goes to the job's row with its heartbeat (each batch is its own transaction, so
    the row's update is not held back behind the import's)."""
    monkeypatch.setattr(jobs, "BEAT_EVERY", 0)
    monkeypatch.setattr(jsonlist, "CHUNK", 64 * 1024)
    client = login(member)
    seen: list[tuple[int, int, int, bytes]] = []
    original = Rows.write

    def write(self, batch, report):
        original(self, batch, report)
        job = ImportJob.objects.get()
        page = client.get(f"/o/acme/captures/imports/{job.public_id}/", headers={"HX-Request": "1"})
        seen.append((job.bytes_read, jobs.get_job(member.actor, job.public_id).percent,
                     page.status_code, page.content))  # fmt: skip

    monkeypatch.setattr(Rows, "write", write)
    # Long prompts: the file is read 64 KiB at a time here, and progress moves with the reads.
    chats = [simple_chat(f"c{n}", f"prompt {n} " + os.urandom(30_000).hex()) for n in range(12)]
    upload = chatgpt_zip(tmp_path / "export.zip", chats).read_bytes()
    job = jobs.import_job_create(
        actor=member.actor,
        source="chatgpt",
        upload=SimpleUploadedFile("export.zip", upload, "application/zip"),
    )
    assert work() == 2
    job.refresh_from_db()
    assert job.error == ""
    assert len(seen) >= 6
    percents = [percent for _, percent, *_ in seen]
    assert percents == sorted(percents)
    assert 0 < percents[0] < percents[-1] < 100
    _, percent, status, content = seen[-1]
    assert status == 200
    assert f"{percent}%".encode() in content
    job.refresh_from_db()
    assert (job.status, job.percent, job.report["prompts"]) == ("done", 100, 12)
    assert list(media.joinpath("imports").iterdir()) == []  # the upload is deleted


def test_the_import_runs_with_the_garbage_collector_paused_and_restores_it(
    member, tmp_path, monkeypatch
):
    import gc

    states: list[bool] = []
    original = Rows.write

    def write(self, batch, report):
        states.append(gc.isenabled())
        original(self, batch, report)

    monkeypatch.setattr(Rows, "write", write)
    path = chatgpt_zip(tmp_path / "export.zip", CHATS)
    writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert states
    assert not any(states)
    assert gc.isenabled()
    bad = write_zip(tmp_path / "bad.zip", {"conversations.json": b"[{"})
    with pytest.raises(ImportRefused):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(bad))
    assert gc.isenabled()

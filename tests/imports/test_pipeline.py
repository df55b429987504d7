"""The export parsed in a child process: what it sends, how its failures surface, that it stops.

Every import test also runs with the child (the ``parsing`` fixture); these are the child's own.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import sys
from multiprocessing.connection import Connection

import pytest

from huddle.capture.importers import pipeline, writer
from huddle.capture.importers.archive import ImportRefused, open_export
from huddle.capture.importers.parsed import pack, text_hash, unpack
from huddle.capture.importers.rows import Rows
from huddle.capture.models import Conversation, ImportJob, Prompt
from tests.imports.builders import chatgpt_zip, rich_chatgpt, simple_chat, write_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_child(settings, monkeypatch):
    settings.HUDDLE_IMPORT_PARALLEL_BYTES = 0
    monkeypatch.setattr(pipeline, "SEND_EVERY", 2)


def _messages(path, *, every=2) -> list[tuple]:
    """What the child side sends for the export at ``path``, run in this process (small
    exports only: nothing reads the pipe until the child side is done)."""
    read, write = os.pipe()
    pipeline._child(write, str(path), "chatgpt", 10**9, every)
    received = []
    with Connection(read, writable=False) as pipe:
        while True:
            try:
                received.append(pipe.recv())
            except EOFError:
                return received


def test_the_child_sends_batches_with_the_bytes_read_then_done(tmp_path):
    chats = [simple_chat(f"c{n}", f"prompt {n}") for n in range(5)]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(chats))
    messages = _messages(path)
    assert [m[0] for m in messages] == ["batch", "batch", "batch", "done"]
    batches = [unpack(m[2]) for m in messages[:-1]]
    assert [[c.external_id for c in b] for b in batches] == [["c0", "c1"], ["c2", "c3"], ["c4"]]
    assert sum(m[1] for m in messages[:-1]) == path.stat().st_size
    assert batches[2][0].prompts[0].text == "prompt 4"


def test_the_child_sends_what_it_parsed_before_a_refusal(tmp_path):
    chats = [simple_chat(f"c{n}", f"prompt {n}") for n in range(3)]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(chats)[:-30])
    messages = _messages(path, every=10)
    assert [m[0] for m in messages] == ["batch", "refused"]
    assert [c.external_id for c in unpack(messages[0][2])] == ["c0", "c1"]
    assert messages[1][1] == "conversations.json is truncated: the JSON ends too early."


def test_conversations_cross_the_pipe_whole(tmp_path):
    """Every field of every conversation and prompt, hashes included, as parsed here."""
    path = chatgpt_zip(tmp_path / "export.zip", [*rich_chatgpt(), simple_chat("c9", "a", "b")])
    with open_export(str(path)) as export:
        here = list(pipeline.parse(export, "chatgpt", None))
    assert unpack(pack(here)) == here
    assert all(p.text_hash == text_hash(p.text) for c in here for p in c.prompts)
    sent = [c for m in _messages(path) if m[0] == "batch" for c in unpack(m[2])]
    assert sent == here
    assert {c.skipped for c in here} > {""}  # the rich export has skipped ones too


def test_a_bug_in_the_child_comes_back_with_its_traceback(tmp_path, monkeypatch):
    def broken(export, source, on_read):
        raise KeyError("a parser bug")

    monkeypatch.setattr(pipeline, "parse", broken)
    path = chatgpt_zip(tmp_path / "export.zip", [simple_chat("c1", "hello")])
    messages = _messages(path)
    assert [m[0] for m in messages] == ["failed"]
    assert "KeyError: 'a parser bug'" in messages[0][1]


def test_a_child_that_dies_without_a_word_fails_the_import_and_writes_nothing(
    member, tmp_path, in_child, monkeypatch
):
    dying = tmp_path / "python"
    dying.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n")
    dying.chmod(dying.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sys, "executable", str(dying))
    path = chatgpt_zip(tmp_path / "export.zip", [simple_chat("c1", "hello")])
    with pytest.raises(pipeline.ParsingFailed) as failed:
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert str(failed.value) == (
        "The export's parsing process stopped with exit status 3:\nMemoryError: out of memory"
    )
    assert not Conversation.objects.exists()


def test_a_failed_child_fails_the_job_with_a_plain_message(
    member, tmp_path, in_child, monkeypatch, caplog
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from huddle.capture.importers import jobs

    monkeypatch.setattr(sys, "executable", "/bin/false")
    data = chatgpt_zip(tmp_path / "export.zip", [simple_chat("c1", "hello")]).read_bytes()
    upload = SimpleUploadedFile("export.zip", data, "application/zip")
    job = jobs.import_job_create(actor=member.actor, source="chatgpt", upload=upload)
    jobs.import_job_run(job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.status, job.error) == (
        "failed",
        "Something went wrong while importing; the team has the details.",
    )
    assert "parsing process stopped with exit status 1" in caplog.text
    assert not Prompt.objects.exists()


def test_the_child_is_killed_when_the_writer_fails(member, tmp_path, in_child, monkeypatch):
    """A child still parsing (here: blocked on a full pipe) is killed, not left behind."""
    stopped = []
    original_stop = pipeline._Child.stop

    def stop(self):
        original_stop(self)
        stopped.append(self.process)

    def write(self, batch, report):
        if batch:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(pipeline._Child, "stop", stop)
    monkeypatch.setattr(Rows, "write", write)
    chats = [simple_chat(f"c{n}", f"prompt {n} " + "x" * 400) for n in range(6000)]
    path = chatgpt_zip(tmp_path / "export.zip", chats)
    with pytest.raises(RuntimeError, match="the database went away"):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    [process] = stopped
    assert process.returncode == -signal.SIGKILL


def test_a_child_reads_the_same_split_archive_in_order(member, tmp_path, in_child):
    files = {
        "conversations-001.json": [simple_chat("b", "second file")],
        "conversations-000.json": [simple_chat("a", "first file")],
    }
    path = write_zip(tmp_path / "split.zip", files)
    report = writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert report.prompts == 2
    texts = Prompt.objects.order_by("conversation__id").values_list("text", flat=True)
    assert list(texts) == ["first file", "second file"]


def test_an_archive_refused_before_parsing_starts_no_child(
    member, tmp_path, in_child, settings, monkeypatch
):
    started = []
    original_init = pipeline._Child.__init__

    def init(self, *args):
        started.append(args)
        original_init(self, *args)

    settings.HUDDLE_IMPORT_MAX_BYTES = 100
    monkeypatch.setattr(pipeline._Child, "__init__", init)
    path = chatgpt_zip(tmp_path / "export.zip", [simple_chat("c1", "hello " * 100)])
    with pytest.raises(ImportRefused, match="would inflate to"):
        writer.import_export(actor=member.actor, source="chatgpt", path=str(path))
    assert started == []

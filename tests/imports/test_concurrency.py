"""Imports beside other work, in other processes and on the suite's database (SQLite or
PostgreSQL): another organisation's write goes through while a long import runs, and a worker
killed half-way through an import leaves nothing of it; the sweep has the job imported again."""

from __future__ import annotations

import json
import os
import signal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.capture.importers import jobs
from tests.imports.builders import simple_chat
from tests.imports.scenario import Scenario

pytestmark = pytest.mark.django_db(transaction=True)  # the other processes see committed rows

CONVERSATIONS = 200
SLOW = "0.02"  # seconds more per conversation: an import of about four seconds


@pytest.fixture
def scenario(tmp_path, settings):
    media = tmp_path / "media"
    media.mkdir()
    settings.MEDIA_ROOT = media
    return Scenario(tmp_path, media)


def _export() -> bytes:
    chats = [simple_chat(f"c{n}", f"prompt {n}", f"follow-up {n}") for n in range(CONVERSATIONS)]
    return json.dumps(chats).encode()


def test_another_organisation_writes_within_a_second_while_an_import_runs(
    member, outsider, tmp_path, scenario
):
    """The import held SQLite's write lock from its first row to its last: the other
    organisation's write waited for all of it (``database is locked`` after 20 s)."""
    export = tmp_path / "conversations.json"
    export.write_bytes(_export())
    marker, go = tmp_path / "written", tmp_path / "go"
    scenario.database_url()
    writer = scenario.start("write", "globex", outsider.user.email, str(go))
    importer = scenario.start(
        "slow", SLOW, str(marker), "--", "import", "chatgpt", str(export), "--org", "acme",
        "--user", member.user.email, "--json",
    )  # fmt: skip
    try:
        Scenario.wait_for(marker, importer)
        go.touch()
        written = writer.communicate(timeout=60)[0].decode()
        still_importing = importer.poll() is None
    finally:
        output = importer.communicate(timeout=120)[0].decode()
        writer.kill()
    assert importer.returncode == 0, output
    assert writer.returncode == 0, written
    assert still_importing, "the import ended before the write: make it longer"
    assert json.loads(written.strip().splitlines()[-1])["seconds"] < 1.0
    report = json.loads(output.strip().splitlines()[-1])
    assert (report["conversations"], report["prompts"]) == (CONVERSATIONS, 2 * CONVERSATIONS)


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_is_imported_again(
    member, tmp_path, scenario
):
    job = jobs.import_job_create(
        actor=member.actor,
        source="chatgpt",
        upload=SimpleUploadedFile("export.json", _export(), "application/json"),
    )
    marker = tmp_path / "written"
    scenario.database_url()
    worker = scenario.start("slow", SLOW, str(marker), "--", "worker")
    try:
        Scenario.wait_for(marker, worker)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    state = scenario.run("state", str(job.public_id))
    assert (state["status"], state["attempts"], state["file_exists"]) == ("running", 1, True)
    assert state["prompts"] > 0  # written, but nobody sees them
    assert state["prompts_seen"] == 0
    assert ["run_import", "RUNNING", ""] in state["tasks"]

    swept = scenario.run("sweep", "600")  # as if ten minutes had passed: its lease ran out
    assert swept["imports"] == 1
    state = scenario.run("state", str(job.public_id))
    assert (state["status"], state["attempts"], state["error"]) == ("queued", 1, "")
    assert (state["prompts"], state["conversations"]) == (0, 0)
    assert state["runs"] == [["rolled_back"]]
    assert state["tasks"][0] == [
        "run_import", "FAILED", "huddle.capture.importers.jobs.WorkerStopped"
    ]  # fmt: skip
    assert state["tasks"][1][:2] == ["run_import", "READY"]
    assert state["file_exists"]

    done = scenario.huddle("worker", "--batch")
    assert done.returncode == 0, done.stderr.decode()
    state = scenario.run("state", str(job.public_id))
    assert (state["status"], state["mining"], state["error"]) == ("done", "done", "")
    assert state["prompts"] == state["prompts_seen"] == 2 * CONVERSATIONS
    assert state["runs"] == [["rolled_back"], ["done"]]
    assert not state["file_exists"]
    assert list(scenario.media.joinpath("imports").iterdir()) == []  # no upload, no .progress

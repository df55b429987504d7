"""Issue 19, item 8: a Claude export uploaded as ChatGPT (or the other way round) fails its job
cleanly with a message that says what to do, writes nothing, and shows no bar stuck at 99 %."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from huddle.capture.importers import jobs
from huddle.capture.models import Prompt
from tests.imports.builders import chatgpt_zip, claude_chat, claude_zip, simple_chat
from tests.imports.conftest import work

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("chosen", "build", "message"),
    [
        (
            "chatgpt",
            lambda path: claude_zip(path, [claude_chat("c1", "Hi", "Write a post")]),
            "This looks like a Claude export, not ChatGPT. Choose “Claude”",
        ),
        (
            "claude",
            lambda path: chatgpt_zip(path, [simple_chat("c1", "Write a post")]),
            "This looks like a ChatGPT export, not Claude. Choose “ChatGPT”",
        ),
    ],
    ids=["claude-as-chatgpt", "chatgpt-as-claude"],
)
def test_the_wrong_export_type_says_which_it_is_and_fails_cleanly(
    chosen, build, message, member, login, tmp_path, django_capture_on_commit_callbacks
):
    data = build(tmp_path / "export.zip").read_bytes()
    upload = SimpleUploadedFile("export.zip", data, "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.import_job_create(actor=member.actor, source=chosen, upload=upload)
    work()
    job.refresh_from_db()
    assert job.status == "failed"
    assert message in job.error
    assert not Prompt.objects.exists()
    html = login(member).get(f"/o/acme/captures/imports/{job.public_id}/").content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    assert "<progress" not in html

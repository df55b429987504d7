"""Helpers for the import tests: run the CLI and read its JSON report."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from huddle.capture.importers import pipeline
from huddle.cli import run


@pytest.fixture
def cli(capsys):
    """``cli(*args)`` → (exit status, parsed stdout JSON or text, stderr as one line)."""

    def _cli(*args: str) -> tuple[int, Any, str]:
        code = run([str(a) for a in args])
        captured = capsys.readouterr()
        out: Any = captured.out
        with contextlib.suppress(ValueError):
            out = json.loads(out)
        return code, out, " ".join(captured.err.split())

    return _cli


@pytest.fixture(autouse=True)
def media(settings, tmp_path_factory):
    """Uploaded exports go to a temporary media root."""
    root = tmp_path_factory.mktemp("media")
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture(params=["in process", "in a child process"])
def parsing(request, settings, monkeypatch):
    """Run the test twice: the export parsed in the importing process, then in a child process
    beside it (``pipeline``), which sends a message every 2 conversations."""
    child = request.param == "in a child process"
    settings.HUDDLE_IMPORT_PARALLEL_BYTES = 0 if child else 2**62
    monkeypatch.setattr(pipeline, "SEND_EVERY", 2)
    return request.param


def work(queue: str | None = None) -> int:
    """Run the queued tasks (of ``queue``, or all) in-process until none is left (an import
    queues its pattern mining), as ``huddle worker --batch`` does, minus closing the database
    connection (which would end the test's transaction on PostgreSQL). How many ran."""
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    if queue:
        ready = ready.filter(queue_name=queue)
    done = 0
    while result := ready.first():
        result.claim("tests")
        args = result.args_kwargs
        result.set_successful(result.task.call(*args["args"], **args["kwargs"]))
        done += 1
    return done

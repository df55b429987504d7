"""Other processes against the test's database, for the tests of concurrent writers and killed
workers: ``python -m tests.imports.scenario COMMAND …`` (``Scenario`` runs them).

- ``slow SECONDS MARKER -- HUDDLE-ARGS…``: run ``huddle HUDDLE-ARGS…`` with a long import: each
  conversation takes SECONDS more to parse (outside any transaction, as a large file's parsing
  is), batches of 20, and MARKER is touched when the second batch starts (the first is written).
- ``write ORG EMAIL GO``: once the file GO exists, make a workflow for that member; prints the
  seconds it took, from opening a database connection (as a request does) to the workflow
  written.
- ``sweep LATER``: ``jobs.sweep`` as if LATER seconds had passed; prints what it found.
- ``state JOB``: the job, its rows (all, and those readers see) and its task rows, as JSON.

On SQLite the test database lives in memory, which another process can't open:
``Scenario.database_url`` copies it to a file (``VACUUM INTO``) for the other processes, and
the test reads the outcome back through ``state``. On PostgreSQL they share the test database
(the tests commit: ``django_db(transaction=True)``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = [sys.executable, "-m", "tests.imports.scenario"]


def _slow(seconds: float, marker: str) -> None:
    from huddle.capture.importers import pipeline, writer
    from huddle.capture.importers.rows import Rows

    writer.BATCH = 20
    parse, write = pipeline.parse, Rows.write

    def slow_parse(*args: Any, **kwargs: Any) -> Any:
        for conversation in parse(*args, **kwargs):
            time.sleep(seconds)
            yield conversation

    written: list[int] = []

    def write_and_mark(self: Rows, batch: Any, report: Any) -> None:
        if written:  # a batch is in the database (and committed, unless all is one transaction)
            Path(marker).touch()
        write(self, batch, report)
        written.append(len(batch))

    pipeline.parse = slow_parse
    Rows.write = write_and_mark


def _write(slug: str, email: str, go: str) -> dict[str, Any]:
    from huddle.accounts.models import Membership
    from huddle.accounts.policy import Actor
    from huddle.library.content import Step, VersionContent
    from huddle.library.models import Kind
    from huddle.library.services import workflow_create

    while not Path(go).exists():  # started early: Python and Django take seconds to start
        time.sleep(0.01)
    # From opening a connection (as a request does) to the workflow written.
    started = time.perf_counter()
    membership = Membership.objects.select_related("user", "organization").get(
        organization__slug=slug, user__email=email
    )
    workflow = workflow_create(
        actor=Actor(membership),
        title="Written while another organisation imports",
        kind=Kind.PROMPT,
        content=VersionContent(steps=(Step(name="step_1", template="Hello"),)),
    )
    return {"seconds": time.perf_counter() - started, "workflow": workflow.slug}


def _state(public_id: str) -> dict[str, Any]:
    from django_tasks_db.models import DBTaskResult

    from huddle.capture.importers.models import (
        Conversation,
        ImportJob,
        ImportRun,
        Prompt,
    )

    job = ImportJob.objects.get(public_id=public_id)
    organization = job.organization_id
    tasks = DBTaskResult.objects.order_by("enqueued_at")
    return {
        "status": job.status,
        "error": job.error,
        "attempts": job.attempts,
        "mining": job.mining,
        "report": job.report,
        "file": job.file.name,
        "file_exists": bool(job.file) and job.file.storage.exists(job.file.name),
        "bytes_read": job.bytes_read,
        "prompts": Prompt.objects.filter(organization=organization).count(),
        "prompts_seen": Prompt.objects.committed(organization).count(),
        "conversations": Conversation.objects.filter(organization=organization).count(),
        "runs": list(ImportRun.objects.filter(job=job).order_by("pk").values_list("status")),
        "tasks": [
            [task.task_path.rsplit(".", 1)[1], task.status, task.exception_class_path]
            for task in tasks
            if task.args_kwargs["args"] == [job.pk]
        ],
    }


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "slow":
        seconds, marker, _, *huddle = args
        import django

        django.setup()
        _slow(float(seconds), marker)
        from huddle.cli import run

        sys.exit(run(huddle))
    import django

    django.setup()
    if command == "write":
        result = _write(*args)
    elif command == "sweep":
        from datetime import timedelta

        from django.utils import timezone

        from huddle.capture.importers.jobs import sweep

        result = sweep(now=timezone.now() + timedelta(seconds=float(args[0])))
    elif command == "state":
        result = _state(args[0])
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))


class Scenario:
    """Runs the commands above in other processes, against a copy of (SQLite) or the very
    (PostgreSQL) test database, with ``media`` as their media root."""

    def __init__(self, folder: Path, media: Path) -> None:
        self.folder, self.media = folder, media
        self.url = ""

    def database_url(self) -> str:
        """Where the other processes find the test's data as it is now (call once seeded)."""
        from django.db import connection

        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            copy = self.folder / "scenario.sqlite3"
            copy.unlink(missing_ok=True)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(copy)])
            self.url = f"sqlite:///{copy}"
        else:
            self.url = (
                f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
                f"{settings['PORT']}/{settings['NAME']}"
            )
        return self.url

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HUDDLE_", "DJANGO_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            HUDDLE_DATABASE_URL=self.url or self.database_url(),
            HUDDLE_MEDIA_ROOT=str(self.media),
            HUDDLE_VAR_DIR=str(self.folder),
            HUDDLE_LOG_LEVEL="WARNING",
        )
        return env

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        """A command of this module, left running."""
        return subprocess.Popen(
            [*SCENARIO, *args], cwd=ROOT, env=self.env(), stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    def run(self, *args: str) -> Any:
        """A command of this module, to its end: its JSON answer."""
        done = self._complete([*SCENARIO, *args])
        assert done.returncode == 0, done.stderr.decode()
        return json.loads(done.stdout)

    def huddle(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        return self._complete([sys.executable, "-c", "from huddle.cli import main; main()", *args])

    def _complete(self, argv: list[str]) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            argv, cwd=ROOT, env=self.env(), capture_output=True, timeout=120, check=False
        )

    @staticmethod
    def wait_for(marker: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
        """Until ``marker`` exists; fails with the process's output if it ends first."""
        deadline = time.monotonic() + timeout
        while not marker.exists():
            if process.poll() is not None:
                raise AssertionError(process.stdout.read().decode() if process.stdout else "")
            assert time.monotonic() < deadline, "the import wrote nothing in time"
            time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv[1:])

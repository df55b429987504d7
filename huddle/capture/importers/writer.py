"""The one writing service of chat-export imports: ``import_export``.

One streamed pass over the export (memory stays flat whatever the size): every conversation is
parsed, its shape checked and its rows written as it comes, by batches of ``BATCH``
conversations (``rows.Rows``: raw SQL, not the ORM), **each batch in its own short
transaction**, so that the import never holds the database for long (on SQLite, its one write
lock: another organisation's write waits for one batch at most, not for the whole import).

Every row written carries the import's run (``ImportRun``, the rollback record). Readers don't
see the rows of a run until it is done (``ImportedRows.committed``): the import's last, short
transaction gives the known conversations that gained prompts their new title and counts, makes
the custom instructions' workflows and the Claude projects (their instructions and documents),
the member's ``ImportSignals`` and the ``capture.imported`` event, marks the run done and the
job done with its report. So a half-finished import is never seen as finished. Any file problem
met on the way — not a zip or JSON, invalid UTF-8, truncated, wrong shape, a hostile archive —
raises ``ImportRefused``; then, as for any other failure, the rows the run wrote are deleted by
batches (``runs.run_rollback``) and nothing of the import is left, however far it had got. The
archive itself is checked before the run starts. A process killed half-way leaves its run
unfinished and hidden; the worker's sweep rolls it back (``jobs.sweep``).

Every import belongs to an ``ImportJob``: the worker's (an upload) or one made here for a caller
that has none (the CLI), so that its rows are tagged, its lease kept and its failure recorded the
same way. Progress (bytes read, bytes in all) goes to the job's row with its heartbeat, at most
every ``jobs.BEAT_EVERY`` seconds, and to ``on_progress`` if given (the CLI's progress bar).

Identity is (organisation, member, source, conversation id, message id): importing the same export
again, or a later and longer one, adds only new conversations and new prompts. Everything is
owned by the importing member and private to them; nothing in a file can change that.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum

from huddle.accounts import policy
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.capture.importers import claude, jobs, pipeline
from huddle.capture.importers.archive import (
    Export,
    ImportRefused,
    iter_json_items,
    max_bytes,
    open_export,
)
from huddle.capture.importers.models import (
    Conversation,
    ExportSource,
    ImportedItem,
    ImportedItemKind,
    ImportJob,
    ImportRun,
    ImportSignals,
    Prompt,
)
from huddle.capture.importers.parsed import ParsedConversation, ParsedProject
from huddle.capture.importers.rows import Rows
from huddle.capture.importers.runs import run_begin, run_finish, run_rollback
from huddle.capture.promote import escape
from huddle.core.errors import HuddleError
from huddle.core.memory import collector_paused
from huddle.core.services import event_record
from huddle.library.content import VersionContent
from huddle.library.models import Kind

# Conversations per round of queries, and per transaction. A batch of 2,000 holds SQLite's write
# lock about 75 ms (the 50 MB benchmark); batches of 500 (20 ms) cost 8% more CPU and 14% more
# time in commits and WAL checkpoints (docs/performance.md).
BATCH = 2000
MAX_SYSTEM = 90_000  # the template source cap is 100,000 characters; escaping adds a little
MAX_DOC = 500_000  # the "other" context kind's text limit
Progress = Callable[[int, int], None]  # (bytes read, bytes to read in all)


@dataclass
class ImportReport:
    source: str
    conversations: int = 0  # new conversations, and known ones that gained prompts
    prompts: int = 0  # new prompts
    duplicates: int = 0  # conversations already imported with nothing new
    skipped: list[dict[str, str]] = field(default_factory=list)
    instructions: int = 0  # new private instructions workflows
    projects: int = 0  # new Claude projects
    context_assets: int = 0  # new private context assets (project documents)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "conversations": self.conversations,
            "prompts": self.prompts,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "instructions": self.instructions,
            "projects": self.projects,
            "context_assets": self.context_assets,
        }


class _Meter:
    """Bytes read so far: to the job's lease (heartbeat and progress) and ``on_progress``."""

    def __init__(self, total: int, on_progress: Progress | None, lease: jobs.Lease) -> None:
        self.total, self.done, self.on_progress, self.lease = total, 0, on_progress, lease

    def __call__(self, n: int) -> None:
        self.done += n
        done = min(self.done, self.total)
        self.lease.beat(done, self.total)
        if self.on_progress:
            self.on_progress(done, self.total)


def import_export(
    *,
    actor: Actor,
    source: str,
    path: str,
    on_progress: Progress | None = None,
    job: ImportJob | None = None,
) -> ImportReport:
    """Import the export at ``path`` (zip or bare JSON) for ``actor``; see the module doc.

    ``job`` is the running job this import is for (the worker's); without one, a job is made
    and finished here (the CLI). Raises ``ImportRefused`` (nothing kept) for a bad file,
    ``MemberBusy`` (an ``ImportRefused``) while another import of the member is writing,
    ``LeaseLost`` if the job was taken from this process, ``PermissionDenied`` for viewers.
    """
    policy.require(actor, Action.CREATE_CONTENT)
    if source not in ExportSource.values:
        raise ImportRefused(f"Unknown source {source!r}; use chatgpt or claude.")
    if job is not None:
        return _import(actor, source, path, on_progress, job)
    job = jobs.cli_job_start(actor=actor, source=source, path=path)
    try:
        return _import(actor, source, path, on_progress, job)
    except HuddleError as error:
        jobs.job_fail(job, error.message)
        raise
    except KeyboardInterrupt:
        jobs.job_fail(job, "The import was interrupted; nothing of it was kept.")
        raise
    except Exception:
        jobs.job_fail(job, jobs.GENERIC)
        raise


def _import(
    actor: Actor, source: str, path: str, on_progress: Progress | None, job: ImportJob
) -> ImportReport:
    limit = max_bytes()
    lease = jobs.import_lease(job)
    with (
        open_export(path, want_projects=source == ExportSource.CLAUDE, limit=limit) as export,
        collector_paused(),  # a gigabyte of short-lived parsed objects, none in cycles
    ):
        run = run_begin(job)
        try:
            meter = _Meter(export.bytes_total, on_progress, lease)
            report = ImportReport(source=source)
            rows = Rows(actor, source, run.pk)
            conversations = pipeline.conversations(
                export,
                path=path,
                source=source,
                limit=limit,
                parallel_from=settings.HUDDLE_IMPORT_PARALLEL_BYTES,
                on_read=meter,
            )
            with conversations as parsed:
                instructions = _write_conversations(parsed, rows, report)
            figures = _prompt_figures(actor, run)  # the largest read, before the last transaction
            lease.beat(meter.done, export.bytes_total, now=True)
            _finish(actor, job, run, rows, report, instructions, _projects(export, meter), figures)
        except BaseException:
            run_rollback(run)
            raise
    return report


def _finish(
    actor: Actor,
    job: ImportJob,
    run: ImportRun,
    rows: Rows,
    report: ImportReport,
    instructions: dict[str, str],
    projects: Iterator[ParsedProject],
    figures: dict[str, Any],
) -> None:
    """The import's last transaction: everything but the conversations' rows, then the run
    and the job done (so its rows become visible at once, with all the rest)."""
    label = ExportSource(report.source).label
    with transaction.atomic():
        rows.apply_updates()
        for key, text in instructions.items():
            title = f"{label} custom instructions: {_first_words(text)}"
            if _instructions(actor, report.source, key, text, title):
                report.instructions += 1
        for project in projects:
            _write_project(actor, project, report)
        run_finish(run)
        signals_refresh(actor, figures)
        event_record(
            actor,
            "capture.imported",
            label=f"{label} export",
            **(
                {k: v for k, v in report.as_dict().items() if k != "skipped"}
                | {"skipped": len(report.skipped)}
            ),
        )
        jobs.job_done(job, report.as_dict())


def _write_conversations(
    parsed: Iterator[ParsedConversation], rows: Rows, report: ImportReport
) -> dict[str, str]:
    """Write the conversations by batches; the distinct custom instructions met, by hash."""
    instructions: dict[str, str] = {}
    batch: list[ParsedConversation] = []
    for conversation in parsed:
        if conversation.skipped:
            report.skipped.append(
                {
                    "id": conversation.external_id,
                    "title": conversation.title,
                    "reason": conversation.skipped,
                }
            )
            continue
        for text in conversation.instructions:
            instructions.setdefault(_key(text), text)
        batch.append(conversation)
        if len(batch) >= BATCH:
            _write_batch(rows, batch, report)
            batch = []
    _write_batch(rows, batch, report)
    return instructions


def _write_batch(rows: Rows, batch: list[ParsedConversation], report: ImportReport) -> None:
    with transaction.atomic():  # short: one batch, so other writers wait for one batch at most
        if rows.postgres:
            # A batch counts for nothing until its run is done: one lost in a crash costs
            # nothing (the sweep rolls the run back), so its commit needn't wait for the disk.
            with rows.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        rows.write(batch, report)


def _projects(export: Export, meter: _Meter) -> Iterator[ParsedProject]:
    if export.projects is None:
        return
    for number, raw in enumerate(
        iter_json_items(export.projects, key="projects", on_read=meter), start=1
    ):
        yield claude.parse_project(raw, file=export.projects.name, number=number)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _first_words(text: str, limit: int = 60) -> str:
    text = re.sub(r"^(About me|How to respond):\s*", "", text.strip())
    words = " ".join(text.split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _item(actor: Actor, source: str, kind: str, key: str) -> tuple[ImportedItem, bool]:
    return ImportedItem.objects.get_or_create(
        organization=actor.organization, owner=actor.user, source=source, kind=kind, key=key
    )


def _instructions(actor: Actor, source: str, key: str, text: str, title: str) -> bool:
    """One private instructions workflow per distinct text; False when it was made before."""
    from huddle.library import services as library_services

    item, created = _item(actor, source, ImportedItemKind.INSTRUCTIONS, key)
    if not created:
        return False
    item.workflow = library_services.workflow_create(
        actor=actor,
        title=title[:200],
        kind=Kind.INSTRUCTIONS,
        content=VersionContent(system=escape(text[:MAX_SYSTEM])),
        summary=f"Imported from a {ExportSource(source).label} export.",
        visibility=Visibility.PRIVATE,
        changelog=f"Imported from a {ExportSource(source).label} export",
    )
    item.save(update_fields=["workflow"])
    return True


def _write_project(actor: Actor, project: ParsedProject, report: ImportReport) -> None:
    from huddle.context import services as context_services
    from huddle.context.models import Kind as ContextKind

    source = ExportSource.CLAUDE
    _project, created = _item(actor, source, ImportedItemKind.PROJECT, _key(project.external_id))
    if created:
        report.projects += 1
    if project.prompt_template and _instructions(
        actor,
        source,
        _key(project.prompt_template),
        project.prompt_template,
        f"{project.name} (Claude project instructions)",
    ):
        report.instructions += 1
    for doc in project.docs:
        key = _key(f"{project.external_id}\n{doc.filename}\n{doc.content}")
        item, created = _item(actor, source, ImportedItemKind.PROJECT_DOC, key)
        if not created:
            continue
        item.asset = context_services.asset_create(
            actor=actor,
            organization=actor.organization,
            kind=ContextKind.OTHER,
            slug=_asset_slug(actor, f"{project.name} {doc.filename.rsplit('.', 1)[0]}"),
            title=f"{project.name}: {doc.filename or 'document'}"[:200],
            data={"text": doc.content[:MAX_DOC]},
            description=f"From the Claude project “{project.name}”.",
            visibility=Visibility.PRIVATE,
        )
        item.save(update_fields=["asset"])
        report.context_assets += 1


def _asset_slug(actor: Actor, wanted: str) -> str:
    """A free context slug (``^[a-z][a-z0-9_]{0,49}$``) derived from the project and file."""
    from huddle.context.models import ContextAsset

    base = re.sub(r"[^a-z0-9]+", "_", wanted.lower()).strip("_")[:44] or "project_doc"
    if not base[0].isalpha():
        base = f"doc_{base}"[:44]
    slug, n = base, 2
    taken = ContextAsset.objects.filter(organization=actor.organization)
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}_{n}", n + 1
    return slug


def _prompt_figures(actor: Actor, run: ImportRun) -> dict[str, Any]:
    """The member's prompt figures for their signals: finished imports' prompts and the run's
    (prompts are only ever added, so they can be counted before the last transaction)."""
    prompts = Prompt.objects.committed(actor.organization, including=run).filter(owner=actor.user)
    return prompts.aggregate(
        count=Count("id"),
        follow_ups=Count("id", filter=Q(position__gt=0)),
        first=Min("sent_at"),
        last=Max("sent_at"),
    )


def signals_refresh(actor: Actor, prompts: dict[str, Any]) -> ImportSignals:
    """Recompute the member's import signals from their conversations and ``prompts``'
    figures (``_prompt_figures``)."""
    where = {"organization": actor.organization, "owner": actor.user}
    conversations = (
        Conversation.objects.committed(actor.organization)
        .filter(owner=actor.user)
        .aggregate(
            count=Count("id"),
            rewrites=Sum("rewrites"),
            regenerations=Sum("regenerations"),
            with_instructions=Count("id", filter=Q(uses_instructions=True)),
            in_projects=Count("id", filter=~Q(gizmo_id="")),
        )
    )
    items = ImportedItem.objects.filter(**where)
    signals, _ = ImportSignals.objects.update_or_create(
        **where,
        defaults={
            "conversations": conversations["count"],
            "prompts": prompts["count"],
            "rewrites": conversations["rewrites"] or 0,
            "regenerations": conversations["regenerations"] or 0,
            "follow_ups": prompts["follow_ups"],
            "instruction_conversations": conversations["with_instructions"],
            "project_conversations": conversations["in_projects"],
            "projects": items.filter(kind=ImportedItemKind.PROJECT).count(),
            "instructions": items.filter(kind=ImportedItemKind.INSTRUCTIONS).count(),
            "first_prompt_at": prompts["first"],
            "last_prompt_at": prompts["last"],
        },
    )
    return signals

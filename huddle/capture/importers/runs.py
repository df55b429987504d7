"""``ImportRun``, the rollback record of an import: begin one, mark it done, roll it back.

An import writes its rows in many short transactions, so that it never holds the database (on
SQLite: its one write lock) for long. Every row carries its run's id; until the run is ``done``
readers don't see them (``ImportedRows.committed``). Rolling back deletes exactly the rows that
carry the id, by batches, each in its own transaction: the prompts through their
(organisation, owner, run) index, then the conversations in the order of their identity index.
A member has one run writing or rolling back at a time (a partial unique constraint), so no
other import of theirs can add prompts to conversations that may still be rolled back.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.models import (
    UNFINISHED_RUNS,
    Conversation,
    ImportJob,
    ImportRun,
    Prompt,
    RunStatus,
)

PROMPTS_PER_DELETE = 5_000
CONVERSATIONS_PER_DELETE = 1_000


class MemberBusy(ImportRefused):
    """Another import of the same member is writing (or being rolled back)."""

    def __init__(self) -> None:
        super().__init__(
            "You have another import running; this one can start when it has finished."
        )


def run_begin(job: ImportJob) -> ImportRun:
    """A new run for ``job``; ``MemberBusy`` while another run of the member is unfinished."""
    try:
        with transaction.atomic():
            return ImportRun.objects.create(
                organization_id=job.organization_id, owner_id=job.owner_id, job=job
            )
    except IntegrityError:
        raise MemberBusy() from None


def run_finish(run: ImportRun) -> None:
    """Mark the run done (inside the import's last transaction): its rows become visible."""
    updated = ImportRun.objects.filter(pk=run.pk, status=RunStatus.WRITING).update(
        status=RunStatus.DONE, finished_at=timezone.now()
    )
    if not updated:  # rolled back under us (the sweep took the job): the caller's rollback wins
        raise RuntimeError(f"import run {run.pk} is no longer writing")
    run.status = RunStatus.DONE


def run_rollback(run: ImportRun) -> None:
    """Delete every row ``run`` wrote, by batches in short transactions; safe to repeat."""
    ImportRun.objects.filter(pk=run.pk, status__in=UNFINISHED_RUNS).update(
        status=RunStatus.ROLLING_BACK
    )
    prompts = Prompt.objects.filter(
        organization_id=run.organization_id, owner_id=run.owner_id, import_run=run
    ).values_list("pk", flat=True)
    while ids := list(prompts[:PROMPTS_PER_DELETE]):
        Prompt.objects.filter(pk__in=ids).delete()
    mine = Conversation.objects.filter(
        organization_id=run.organization_id, owner_id=run.owner_id, source=run.job.source
    ).filter(import_run=run)
    after = ""
    # In the identity index's order, from where the last batch ended: each batch reads on
    # instead of reading again past the member's other conversations.
    while batch := list(
        mine.filter(external_id__gt=after)
        .order_by("external_id")
        .values_list("pk", "external_id")[:CONVERSATIONS_PER_DELETE]
    ):
        after = batch[-1][1]
        # Their prompts are gone already (a run's conversations hold only the run's prompts).
        Conversation.objects.filter(pk__in=[pk for pk, _ in batch]).delete()
    ImportRun.objects.filter(pk=run.pk).exclude(status=RunStatus.DONE).update(
        status=RunStatus.ROLLED_BACK, finished_at=timezone.now()
    )
    run.status = RunStatus.ROLLED_BACK

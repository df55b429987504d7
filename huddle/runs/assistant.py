"""Runs that happen inside an AI assistant (ChatGPT, Claude, Copilot …) through the MCP server.

Getting a workflow's prompt there opens a run (mode ``mcp``, status ``running``): insights count
the use even when nothing more is heard of it. ``log_run`` afterwards reports how it went: it
completes that open run (the one named, or the member's newest open one of the workflow from the
last day) with the answer, the final text, minutes and rating, or records a new run when there is
none. Both go through ``services.run_record``'s rules and record an ``Event``.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import event_record
from huddle.library.models import Workflow, WorkflowVersion
from huddle.library.rendering import Rendered
from huddle.runs import hooks, services
from huddle.runs.direct import prompts_of
from huddle.runs.models import Mode, Run, RunStatus, RunStep
from huddle.runs.services import Figures, StepRecord

OPEN_HOURS = 24  # an open run older than this is left alone: the report is of another use


def run_open(
    *,
    actor: Actor,
    workflow: Workflow,
    version: WorkflowVersion,
    rendered: Rendered,
    public_id: UUID | None = None,
) -> Run:
    """Record that ``actor`` took the rendered prompt of ``version`` into their assistant,
    under ``public_id`` when the assistant has already been given the run's id."""
    return services.run_record(
        actor=actor,
        workflow=workflow,
        version=version,
        inputs=rendered.inputs,
        system_prompt=rendered.system if rendered.steps else "",
        steps=[StepRecord(name, text, "") for name, text in prompts_of(rendered)],
        final_text="",
        figures=Figures(baseline_minutes=version.baseline_minutes),
        mode=Mode.MCP,
        status=RunStatus.RUNNING,
        public_id=public_id,
    )


def open_run_for(actor: Actor, workflow: Workflow | None, run_id: str | None) -> Run | None:
    """The open MCP run a report is about: ``run_id`` when given (``NotFound`` unless it is the
    actor's own open MCP run), else the actor's newest open one of ``workflow`` of the last day."""
    mine = Run.objects.filter(
        organization=actor.organization,
        user=actor.user,
        mode=Mode.MCP,
        status=RunStatus.RUNNING,
    ).select_related("workflow", "version")
    if run_id:
        run = mine.filter(public_id=_uuid(run_id)).first()
        if run is None:
            raise NotFound("No open run with that id of yours; leave it out to log a new run.")
        return run
    if workflow is None:
        return None
    since = timezone.now() - timedelta(hours=OPEN_HOURS)
    return mine.filter(workflow=workflow, started_at__gte=since).order_by("-started_at").first()


def _uuid(text: str) -> UUID:
    try:
        return UUID(str(text))
    except ValueError:
        raise NotFound("No open run with that id of yours.") from None


@transaction.atomic
def run_report(
    *,
    actor: Actor,
    workflow: Workflow | None,
    version: WorkflowVersion | None,
    output: str,
    final_text: str,
    figures: Figures,
    run_id: str | None = None,
) -> Run:
    """Complete the open run this report is about, or record a new completed MCP run."""
    policy.require(actor, Action.CREATE_CONTENT)
    run = open_run_for(actor, workflow, run_id)
    if run is None:
        steps = [StepRecord("step_1", "", output)] if output else []
        return services.run_record(
            actor=actor,
            workflow=workflow,
            version=version,
            inputs={},
            steps=steps,
            final_text=final_text,
            figures=_with_baseline(figures, version),
            mode=Mode.MCP,
        )
    if workflow is not None and run.workflow_id != workflow.pk:
        raise ValidationFailed(
            "That run is of another workflow.", fields={"run": ["Of another workflow."]}
        )
    if max(len(output), len(final_text)) > services.MAX_TEXT:
        raise ValidationFailed(f"A text is longer than {services.MAX_TEXT:,} characters.")
    if output:
        last = run.steps.order_by("-position").first()
        if last is not None:
            RunStep.objects.filter(pk=last.pk).update(output=output)
        run.output = output
    run.final_text = final_text
    run.edit_ratio = services.edit_ratio(run.output, final_text)
    run.minutes_spent = figures.minutes_spent
    if figures.baseline_minutes is not None:
        run.baseline_minutes = figures.baseline_minutes
    run.rating = figures.rating
    run.rating_note = figures.rating_note
    run.status = RunStatus.COMPLETED
    run.finished_at = timezone.now()
    run.save()
    hooks.run_completed(actor, run)  # e.g. the brand check stores the on-brand score
    event_record(
        actor,
        "run.reported",
        run,
        label=run.label,
        mode=run.mode,
        minutes_saved=run.minutes_saved,
    )
    return run


def _with_baseline(figures: Figures, version: WorkflowVersion | None) -> Figures:
    """The version's baseline stands in when the report gives none (as the run page prefills)."""
    if figures.baseline_minutes is not None or version is None:
        return figures
    return Figures(
        figures.minutes_spent, version.baseline_minutes, figures.rating, figures.rating_note
    )

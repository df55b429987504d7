"""Direct runs: a workflow run through a provider an admin configured, step by step.

A direct run is a ``Run`` in status ``running`` while its steps are produced. ``stream_step``
renders step N (earlier steps' outputs come from the person, who may have edited them), streams
the provider's answer piece by piece, stores the step and its tokens, and turns any provider
failure into a failed run with a readable message (never an exception that becomes a 500).
``run_direct`` does every step without pausing (the API's non-interactive mode).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core import ratelimit
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.services import event_record
from huddle.library.models import Workflow, WorkflowVersion
from huddle.library.rendering import Rendered, render_version
from huddle.runs import hooks, services
from huddle.runs.models import Mode, Run, RunStatus, RunStep
from huddle.runs.providers.base import ProviderError, ProviderPrompt
from huddle.runs.providers.models import ProviderConfig
from huddle.runs.providers.registry import provider_for
from huddle.runs.providers.services import provider_record_use
from huddle.runs.services import Figures


@dataclass(frozen=True)
class StepEvent:
    """What a stream yields: a piece of text, or the end (``done``) or a failure (``error``)."""

    delta: str = ""
    done: bool = False
    error: str = ""


def prompts_of(rendered: Rendered) -> list[tuple[str, str]]:
    if rendered.steps:
        return [(step.name, step.text) for step in rendered.steps]
    return [("instructions", rendered.system)]


def step_names(actor: Actor, run: Run) -> list[str]:
    """The names of the run's steps, in order."""
    if run.version is None:
        return []
    return [name for name, _ in prompts_of(render_version(actor, run.version, run.inputs))]


def run_start(
    *,
    actor: Actor,
    workflow: Workflow,
    version: WorkflowVersion,
    inputs: Mapping[str, Any],
    config: ProviderConfig,
) -> Run:
    """Open a direct run (status ``running``) after checking the inputs render."""
    if config.organization_id != actor.organization.pk or not config.enabled:
        raise NotFound("No such provider.")
    ratelimit.hit(
        "direct_run",
        f"{actor.organization.pk}:{actor.user.pk}",
        message="You started many AI runs in the last minute.",
    )
    rendered = render_version(actor, version, inputs)
    run = services.run_record(
        actor=actor,
        workflow=workflow,
        version=version,
        inputs=rendered.inputs,
        steps=[],
        final_text="",
        figures=Figures(baseline_minutes=version.baseline_minutes),
        system_prompt=rendered.system if rendered.steps else "",
        mode=Mode.DIRECT,
        status=RunStatus.RUNNING,
        provider=config.name,
        model=config.model,
    )
    Run.objects.filter(pk=run.pk).update(provider_config=config)
    run.provider_config = config
    return run


def _check_open(actor: Actor, run: Run) -> ProviderConfig:
    if run.user_id != actor.user.pk or run.organization_id != actor.organization.pk:
        raise NotFound()
    if run.status != RunStatus.RUNNING or run.mode != Mode.DIRECT:
        raise HuddleError("run_closed", "This run is finished; start a new one.", status=409)
    if run.provider_config is None or not run.provider_config.enabled:
        raise HuddleError("provider_gone", "The provider of this run is no longer available.")
    return run.provider_config


def stream_step(
    *, actor: Actor, run: Run, index: int, step_outputs: Mapping[str, str]
) -> Iterator[StepEvent]:
    """Produce step ``index`` through the run's provider, yielding text as it arrives."""
    config = _check_open(actor, run)
    version = run.version
    if version is None:
        raise HuddleError("no_version", "The workflow version of this run is gone.")
    rendered = render_version(actor, version, run.inputs, step_outputs=step_outputs)
    prompts = prompts_of(rendered)
    if not 0 <= index < len(prompts):
        raise ValidationFailed(f"This workflow has no step {index + 1}.")
    name, text = prompts[index]
    system = rendered.system if rendered.steps else ""
    stream = None
    try:
        stream = provider_for(config).stream(ProviderPrompt.single(text, system=system))
        for piece in stream:
            yield StepEvent(delta=piece)
        result = stream.result
        if result is None or not result.text.strip():
            raise ProviderError(
                "provider_bad_response", "The provider sent back no answer; try again."
            )
    except ProviderError as error:
        _fail(run, config, index, name, text, stream.text if stream else "", error)
        yield StepEvent(error=error.message)
        return
    with transaction.atomic():
        RunStep.objects.update_or_create(
            run=run,
            position=index,
            defaults={"name": name[:40], "prompt": text, "output": result.text},
        )
        run.refresh_from_db()
        run.output = result.text
        run.model = result.model or run.model
        run.input_tokens = (run.input_tokens or 0) + (result.input_tokens or 0)
        run.output_tokens = (run.output_tokens or 0) + (result.output_tokens or 0)
        run.duration_ms = (run.duration_ms or 0) + result.duration_ms
        run.save(update_fields=["output", "model", "input_tokens", "output_tokens", "duration_ms"])
    provider_record_use(config=config)
    yield StepEvent(done=True)


def _fail(
    run: Run,
    config: ProviderConfig,
    index: int,
    name: str,
    prompt: str,
    partial: str,
    error: ProviderError,
) -> None:
    with transaction.atomic():
        RunStep.objects.update_or_create(
            run=run,
            position=index,
            defaults={"name": name[:40], "prompt": prompt, "output": partial},
        )
        Run.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=error.message, finished_at=timezone.now()
        )
    provider_record_use(config=config, error=error.message)


@transaction.atomic
def run_finish(
    *, actor: Actor, run: Run, final_text: str, figures: Figures, share_text: bool
) -> Run:
    """Close a direct run with what the person used, their minutes and rating: a
    ``run.completed`` event (the run's ``run.recorded`` said ``running``) and, as every completed
    run, its ``hooks.run_completed`` (the brand score)."""
    _check_open(actor, run)
    run.final_text = final_text
    run.edit_ratio = services.edit_ratio(run.output, final_text)
    run.minutes_spent = figures.minutes_spent
    run.baseline_minutes = figures.baseline_minutes
    run.rating = figures.rating
    run.rating_note = figures.rating_note
    run.share_text = share_text
    run.status = RunStatus.COMPLETED
    run.finished_at = timezone.now()
    run.save()
    event_record(
        actor,
        "run.completed",
        run,
        label=run.label,
        mode=run.mode,
        minutes_saved=run.minutes_saved,
        rating=run.rating,
    )
    hooks.run_completed(actor, run)  # e.g. the brand check stores the on-brand score
    return run


def run_direct(
    *,
    actor: Actor,
    workflow: Workflow,
    version: WorkflowVersion,
    inputs: Mapping[str, Any],
    config: ProviderConfig,
) -> Run:
    """Every step, one after the other, each fed the previous outputs (no pauses for edits)."""
    policy.require(actor, Action.CREATE_CONTENT)
    run = run_start(actor=actor, workflow=workflow, version=version, inputs=inputs, config=config)
    outputs: dict[str, str] = {}
    for index, name in enumerate(step_names(actor, run)):
        for event in stream_step(actor=actor, run=run, index=index, step_outputs=outputs):
            if event.error:
                run.refresh_from_db()
                return run
        run.refresh_from_db()
        outputs[name] = run.output
    return run_finish(
        actor=actor,
        run=run,
        final_text=run.output,
        figures=Figures(baseline_minutes=run.baseline_minutes),
        share_text=False,
    )

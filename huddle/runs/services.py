"""Recording runs: manual (copy-paste), direct (through a provider) and imported.

``run_record`` is the one writer: it computes the edit ratio, counts the use on the workflow and
records an ``Event``. Figures are validated here so every door (page, API, CLI import) refuses
the same bad values with the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from rapidfuzz.distance import Levenshtein

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import event_record
from huddle.library.models import Workflow, WorkflowVersion
from huddle.runs import hooks
from huddle.runs.models import Mode, Run, RunStatus, RunStep

MAX_TEXT = 200_000
MAX_MINUTES = 60 * 24 * 7  # a week: anything longer is a typo


def edit_ratio(output: str, final_text: str) -> float | None:
    """How much of the AI's text the person changed: 0.0 = used as is, 1.0 = fully rewritten.

    The normalised Levenshtein distance between the two texts (whitespace at the ends ignored).
    None when either text is missing: there is nothing to compare.
    """
    a, b = (output or "").strip(), (final_text or "").strip()
    if not a or not b:
        return None
    return round(Levenshtein.normalized_distance(a, b), 4)


@dataclass(frozen=True)
class StepRecord:
    name: str
    prompt: str
    output: str


@dataclass(frozen=True)
class Figures:
    minutes_spent: float | None = None
    baseline_minutes: float | None = None
    rating: int | None = None
    rating_note: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Figures:
        problems: dict[str, list[str]] = {}

        def minutes(name: str, label: str) -> float | None:
            raw = data.get(name)
            if raw in (None, ""):
                return None
            try:
                value = float(raw)
            except (TypeError, ValueError):
                problems[name] = [f"{label} must be a number of minutes."]
                return None
            if not 0 <= value <= MAX_MINUTES:
                problems[name] = [f"{label} must be between 0 and {MAX_MINUTES} minutes."]
                return None
            return value

        spent = minutes("minutes_spent", "Time spent")
        baseline = minutes("baseline_minutes", "Time without AI")
        rating = None
        raw_rating = data.get("rating")
        if raw_rating not in (None, ""):
            try:
                rating = int(raw_rating)
            except (TypeError, ValueError):
                rating = 0
            if not 1 <= rating <= 5:
                problems["rating"] = ["The rating is 1 to 5 stars."]
                rating = None
        if problems:
            raise ValidationFailed("Check the figures.", fields=problems)
        return cls(spent, baseline, rating, str(data.get("rating_note") or "").strip()[:500])


@transaction.atomic
def run_record(
    *,
    actor: Actor,
    workflow: Workflow | None,
    version: WorkflowVersion | None,
    inputs: Mapping[str, Any],
    steps: Sequence[StepRecord],
    final_text: str,
    figures: Figures,
    system_prompt: str = "",
    share_text: bool = False,
    mode: str = Mode.MANUAL,
    status: str = RunStatus.COMPLETED,
    error: str = "",
    provider: str = "",
    model: str = "",
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    duration_ms: int | None = None,
    started_at: datetime | None = None,
    import_key: str | None = None,
    public_id: UUID | None = None,
) -> Run:
    """Record one use of a workflow (or of an ad-hoc prompt when ``workflow`` is None).

    ``public_id`` is the run's id when the caller has already given it out (MCP's
    ``prompts/get`` answers with it before the run is written: ``core/afterwards.py``).

    A completed run also gets what apps above ``runs`` do with one (``hooks.run_completed``: the
    brand check stores its score), in the same transaction, whichever door recorded it.
    """
    policy.require(actor, Action.CREATE_CONTENT)
    if workflow is not None and not policy.can_see(actor, workflow):
        raise NotFound()
    if version is not None and (workflow is None or version.workflow_id != workflow.pk):
        raise NotFound("No such version.")
    texts = [final_text, system_prompt, *(s.output for s in steps), *(s.prompt for s in steps)]
    if any(len(text or "") > MAX_TEXT for text in texts):
        raise ValidationFailed(f"A text is longer than {MAX_TEXT:,} characters.")
    output = steps[-1].output if steps else ""
    now = timezone.now()
    run = Run.objects.create(
        organization=actor.organization,
        user=actor.user,
        workflow=workflow,
        version=version,
        mode=mode,
        status=status,
        inputs=dict(inputs),
        system_prompt=system_prompt,
        output=output,
        final_text=final_text or "",
        edit_ratio=edit_ratio(output, final_text),
        minutes_spent=figures.minutes_spent,
        baseline_minutes=figures.baseline_minutes,
        rating=figures.rating,
        rating_note=figures.rating_note,
        share_text=share_text,
        provider=provider,
        model=model,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        duration_ms=duration_ms,
        error=error,
        started_at=started_at or now,
        finished_at=now if status != RunStatus.RUNNING else None,
        import_key=import_key,
        **({"public_id": public_id} if public_id else {}),
    )
    RunStep.objects.bulk_create(
        [
            RunStep(run=run, position=i, name=s.name[:40], prompt=s.prompt, output=s.output)
            for i, s in enumerate(steps)
        ]
    )
    if workflow is not None:
        Workflow.objects.filter(pk=workflow.pk).update(use_count=F("use_count") + 1)
    event_record(
        actor,
        "run.recorded",
        run,
        label=run.label,
        mode=mode,
        status=status,
        workflow=str(workflow.public_id) if workflow else None,
        minutes_saved=run.minutes_saved,
    )
    if status == RunStatus.COMPLETED:
        hooks.run_completed(actor, run)  # e.g. the brand check stores the on-brand score
    return run


@transaction.atomic
def run_rate(*, actor: Actor, run: Run, figures: Figures, final_text: str | None = None) -> Run:
    """The author adds or corrects the rating, note, minutes or final text afterwards."""
    if run.user_id != actor.user.pk or run.organization_id != actor.organization.pk:
        raise NotFound()
    run.rating = figures.rating
    run.rating_note = figures.rating_note
    if figures.minutes_spent is not None:
        run.minutes_spent = figures.minutes_spent
    if figures.baseline_minutes is not None:
        run.baseline_minutes = figures.baseline_minutes
    if final_text is not None:
        run.final_text = final_text
        run.edit_ratio = edit_ratio(run.output, final_text)
    run.save()
    event_record(actor, "run.rated", run, rating=run.rating)
    return run

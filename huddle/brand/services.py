"""Checking texts against the brand, and storing the check of a run's final text.

``brand_check`` is the one entry point for the page, the run flow, the API and the CLI: it
builds the ruleset with the actor's rights, adds the workflow's required elements, validates
the text and channel, and runs the pure checker. ``run_brand_check_record`` stores the result
on a run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from huddle.accounts.policy import Actor
from huddle.brand import checker, rules
from huddle.brand.checker import Report, Ruleset
from huddle.brand.models import RunBrandCheck
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.services import event_record
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.library.models import Workflow
from huddle.runs.models import Run

MAX_TEXT = 200_000  # as a run's final text


@dataclass(frozen=True)
class BrandCheck:
    text: str
    report: Report
    ruleset: Ruleset
    workflow: Workflow | None = None
    channel: str = ""
    required: tuple[str, ...] = ()


def _channel(ruleset: Ruleset, channel: str | None) -> str:
    name = (channel or "").strip().lower().replace(" ", "_")
    if name and name not in ruleset.channels():
        known = ", ".join(sorted(ruleset.channels()))
        raise ValidationFailed(
            f"Unknown channel {channel!r}.", fields={"channel": [f"Choose one of: {known}."]}
        )
    return name


def brand_check(
    *,
    actor: Actor,
    text: str,
    workflow: str | Workflow | None = None,
    channel: str | None = None,
    required: Sequence[str] | None = None,
    constraints: str | None = None,
) -> BrandCheck:
    """Check ``text`` against the brand rules ``actor`` can see.

    ``workflow`` (slug, id or object) adds its latest version's required elements and its
    negative constraints as rules (``rules.with_constraints``); ``required`` and
    ``constraints`` override them (a run is checked against its own version's).

    Raises ``NotFound`` for a workflow the actor can't see and ``ValidationFailed`` for a text
    over ``MAX_TEXT`` characters or an unknown channel.
    """
    text = (text or "").replace("\r\n", "\n")
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            f"The text is {len(text):,} characters; the limit is {MAX_TEXT:,}.",
            fields={"text": ["Too long."]},
        )
    if isinstance(workflow, str) and workflow.strip():
        workflow = library_queries.get_workflow(actor, workflow.strip())
    found = workflow if isinstance(workflow, Workflow) else None
    latest = library_services.latest_version(found) if found else None
    if required is None:
        required = latest.required_elements if latest else ()
    if constraints is None:
        constraints = latest.negative_constraints if latest else ""
    ruleset = rules.ruleset_for(actor)
    if found is not None and constraints:
        ruleset = rules.with_constraints(ruleset, workflow=found.title, constraints=constraints)
    name = _channel(ruleset, channel)
    report = checker.check(text, ruleset, channel=name or None, required=required)
    return BrandCheck(text, report, ruleset, found, name, tuple(required))


@transaction.atomic
def run_brand_check_record(*, actor: Actor, run: Run, channel: str | None = None) -> RunBrandCheck:
    """Check the run's final text (with its version's required elements) and store the result,
    replacing an earlier check. Only the run's author may; others get ``NotFound``."""
    if run.user_id != actor.user.pk or run.organization_id != actor.organization.pk:
        raise NotFound()
    required = tuple(run.version.required_elements) if run.version else ()
    result = brand_check(
        actor=actor,
        text=run.final_text,
        workflow=run.workflow,
        channel=channel,
        required=required,
        constraints=run.version.negative_constraints if run.version else "",
    )
    stored, _created = RunBrandCheck.objects.update_or_create(
        run=run,
        defaults={
            "score": result.report.score,
            "blocking": result.report.blocking,
            "findings": [f.as_dict() for f in result.report.findings],
            "ruleset_fingerprint": result.ruleset.fingerprint,
            "sources": list(result.ruleset.sources),
            "checked_at": timezone.now(),
        },
    )
    event_record(
        actor,
        "run.brand_checked",
        run,
        label=run.label,
        score=stored.score,
        blocking=stored.blocking,
    )
    return stored

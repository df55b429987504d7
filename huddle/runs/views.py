"""Run pages: the copy-paste run of a workflow, the runs list and a run's page."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.forms import cleaned
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.library.rendering import content_of, input_values, render_version
from huddle.runs import direct, queries, services
from huddle.runs.forms import FinishForm, ManualRunForm, StartForm, StepForm
from huddle.runs.models import Run
from huddle.runs.providers import queries as provider_queries
from huddle.runs.services import Figures, StepRecord

# Fields whose problems the pages show next to the field; the others go in the box on top.
BESIDE = frozenset({"final_text", "minutes_spent", "baseline_minutes", "rating", "rating_note"})


def _problem(problem: HuddleError | None, beside: frozenset[str] = BESIDE) -> dict[str, Any]:
    """The page's problem: its message and the problems of other fields on top (``loose``),
    each field's own next to it (``errors``)."""
    fields = (problem.fields or {}) if problem else {}
    return {
        "problem": problem,
        "errors": {name: found for name, found in fields.items() if name in beside},
        "loose": [p for name, found in fields.items() if name not in beside for p in found],
    }


def _posted(form: Any, problem_message: str) -> tuple[dict[str, Any], ValidationFailed | None]:
    """What of a bound form is clean (every field that is), and its problem if any."""
    try:
        return cleaned(form, problem_message), None
    except ValidationFailed as error:
        return form.cleaned_data, error


def _or(value: Any, default: Any) -> Any:
    """A posted value, or ``default`` when the field was not posted at all."""
    return default if value is None else value


def _prompts(rendered: Any) -> list[tuple[str, str]]:
    """The prompts to paste, in order; instructions-only workflows paste their system text."""
    if rendered.steps:
        return [(step.name, step.text) for step in rendered.steps]
    return [("instructions", rendered.system)]


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def run_manual(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    """Copy-paste run: fill inputs, paste each step's answer, then the final text and minutes."""
    workflow = library_queries.get_workflow(actor, workflow_slug)
    version = library_services.latest_version(workflow)
    content = content_of(version)
    names = [s.name for s in content.steps] or ["instructions"]
    values = input_values(content.inputs, request.POST, request.GET)
    form = ManualRunForm(request.POST if request.method == "POST" else None, steps=len(names))
    problem: HuddleError | None = None
    posted: dict[str, Any] = {}
    if form.is_bound:
        posted, problem = _posted(form, "Check the run.")
    outputs = [posted.get(f"out_{i}", "") for i in range(len(names))]
    action = posted.get("action", "")
    stage = -1  # -1: inputs only; k: showing prompt k; len(names): final form
    rendered = None
    if action:
        stage = 0
        while stage < len(names) and outputs[stage].strip():
            stage += 1
        if action == "next" and stage < len(names) and problem is None:
            problem = ValidationFailed(f"Paste the AI's answer to step {stage + 1} first.")
        try:
            step_outputs = {name: outputs[i] for i, name in enumerate(names) if i < stage}
            rendered = render_version(actor, version, values, step_outputs=step_outputs)
        except HuddleError as error:
            problem, stage, rendered = error, -1, None
    if action == "save" and rendered is not None and problem is None:
        try:
            final_text = posted["final_text"]
            if not final_text.strip():
                raise ValidationFailed(
                    "Paste the final text you used (or the AI's answer).",
                    fields={"final_text": ["Required."]},
                )
            prompts = _prompts(rendered)
            run = services.run_record(
                actor=actor,
                workflow=workflow,
                version=version,
                inputs=rendered.inputs,
                system_prompt=rendered.system if rendered.steps else "",
                steps=[
                    StepRecord(name=name, prompt=text, output=outputs[i])
                    for i, (name, text) in enumerate(prompts)
                ],
                final_text=final_text,
                figures=posted["figures"],
                share_text=posted["share_text"],
            )
        except ValidationFailed as error:
            problem = error
        else:
            saved = run.minutes_saved
            note = f" You saved {saved:g} minutes." if saved and saved > 0 else ""
            messages.success(request, f"Run saved.{note}")
            return redirect("run_detail", org_slug=actor.organization.slug, run_id=run.public_id)
    prompts = _prompts(rendered) if rendered else []
    context = {
        "workflow": workflow,
        "version": version,
        "content": content,
        "values": values,
        "has_providers": provider_queries.enabled_providers(actor.organization).exists(),
        "stage": stage,
        **_problem(problem),
        "system": rendered.system if rendered and rendered.steps else "",
        "steps": [
            {
                "index": i,
                "name": name,
                "prompt": prompts[i][1] if i < len(prompts) else "",
                "output": outputs[i],
            }
            for i, name in enumerate(names)
        ],
        "total": len(names),
        "final_text": form["final_text"].value() or (outputs[-1] if stage >= len(names) else ""),
        "minutes_spent": form["minutes_spent"].value() or "",
        "baseline_minutes": _or(form["baseline_minutes"].value(), version.baseline_minutes or ""),
        "rating": form["rating"].value() or "",
        "rating_note": form["rating_note"].value() or "",
        "share_text": posted.get("share_text", False),
    }
    return render(request, "runs/manual.html", context)


@org_view()
def runs_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    mine = queries.visible_runs(actor).filter(user=actor.user)
    others = queries.visible_runs(actor).exclude(user=actor.user)
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "runs/index.html",
        {
            "page": page,
            "mine_saved": queries.time_saved(mine),
            "others": others[:50],
            "usage": queries.organization_usage(actor)
            if actor.can(Action.VIEW_AGGREGATES)
            else None,
        },
    )


@org_view()
def run_detail(request: HttpRequest, actor: Actor, run_id: str) -> HttpResponse:
    run = queries.get_run(actor, run_id)
    return render(
        request,
        "runs/detail.html",
        {
            "run": run,
            "steps": queries.steps_of(run),
            "can_read": policy.can_read_run_text(actor, run),
            "is_mine": run.user_id == actor.user.pk,
        },
    )


@org_view(Action.CREATE_CONTENT)
@require_POST
def run_rate(request: HttpRequest, actor: Actor, run_id: str) -> HttpResponse:
    run = queries.get_run(actor, run_id)
    services.run_rate(actor=actor, run=run, figures=Figures.from_data(request.POST))
    messages.success(request, "Thanks: your rating helps the team find what works.")
    return redirect("run_detail", org_slug=actor.organization.slug, run_id=run.public_id)


# --- direct runs (through a provider) ---------------------------------------------------------


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def run_direct_start(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    """Choose a provider and fill the inputs; starting opens a running direct run."""
    workflow = library_queries.get_workflow(actor, workflow_slug)
    version = library_services.latest_version(workflow)
    content = content_of(version)
    providers = list(provider_queries.enabled_providers(actor.organization))
    values = input_values(content.inputs, request.POST, request.GET)
    problem = None
    if request.method == "POST":
        try:
            posted = cleaned(StartForm(request.POST, providers=providers), "Choose a provider.")
            run = direct.run_start(
                actor=actor,
                workflow=workflow,
                version=version,
                inputs=values,
                config=posted["provider"],
            )
        except HuddleError as error:
            problem = error
        else:
            return redirect("run_direct", org_slug=actor.organization.slug, run_id=run.public_id)
    return render(
        request,
        "runs/direct_start.html",
        {
            "workflow": workflow,
            "content": content,
            "values": values,
            "providers": providers,
            **_problem(problem, frozenset({"provider"})),
        },
    )


def _direct_context(actor: Actor, run: Run, outputs: dict[int, str]) -> dict[str, Any]:
    stored = {step.position: step for step in queries.steps_of(run)}
    names = []
    if run.version is not None:
        rendered = render_version(
            actor,
            run.version,
            run.inputs,
            step_outputs={
                step.name: outputs.get(position, step.output) for position, step in stored.items()
            },
        )
        names = direct.prompts_of(rendered)
    steps = [
        {
            "index": i,
            "name": name,
            "prompt": text,
            "output": outputs.get(i, stored[i].output) if i in stored else "",
            "done": i in stored,
        }
        for i, (name, text) in enumerate(names)
    ]
    next_index = next((s["index"] for s in steps if not s["done"]), None)
    return {"run": run, "steps": steps, "next_index": next_index, "total": len(steps)}


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def run_direct(request: HttpRequest, actor: Actor, run_id: str) -> HttpResponse:
    """The running direct run: generate each step, edit it, then finish with the final text."""
    run = queries.get_run(actor, run_id)
    if run.user_id != actor.user.pk or run.mode != "direct":
        raise NotFound()
    if run.status != "running":
        return redirect("run_detail", org_slug=actor.organization.slug, run_id=run.public_id)
    problem = None
    form = FinishForm(request.POST if request.method == "POST" else None)
    if form.is_bound:
        try:
            posted = cleaned(form, "Check the run.")
            if not posted["final_text"].strip():
                raise ValidationFailed(
                    "Paste or keep the final text you used.",
                    fields={"final_text": ["Required."]},
                )
            run = direct.run_finish(
                actor=actor,
                run=run,
                final_text=posted["final_text"],
                figures=posted["figures"],
                share_text=posted["share_text"],
            )
        except ValidationFailed as error:
            problem = error
        else:
            messages.success(request, "Run saved.")
            return redirect("run_detail", org_slug=actor.organization.slug, run_id=run.public_id)
    context = _direct_context(actor, run, {})
    context.update(
        **_problem(problem),
        final_text=_or(form["final_text"].value(), run.output),
        figures={
            "minutes_spent": form["minutes_spent"].value() or "",
            "baseline_minutes": _or(
                form["baseline_minutes"].value(), _or(run.baseline_minutes, "")
            ),
            "rating": form["rating"].value() or "",
        },
    )
    return render(request, "runs/direct.html", context)


@org_view(Action.CREATE_CONTENT)
@require_POST
def run_direct_step(request: HttpRequest, actor: Actor, run_id: str, index: int) -> HttpResponse:
    """Generate one step. Streams NDJSON (``{"delta"}``… then ``{"done"}`` or ``{"error"}``) to
    scripts; a plain form post waits for the whole answer and goes back to the run page."""
    run = queries.get_run(actor, run_id)
    posted = cleaned(StepForm(request.POST, index=index), "Check the answers so far.")
    outputs = {i: posted[f"out_{i}"] for i in range(index)}
    names = [s["name"] for s in _direct_context(actor, run, outputs)["steps"]]
    step_outputs = {names[i]: text for i, text in outputs.items() if i < len(names)}
    events = direct.stream_step(actor=actor, run=run, index=index, step_outputs=step_outputs)
    if request.headers.get("Accept", "").startswith("application/x-ndjson"):
        body = (json.dumps(asdict(event)) + "\n" for event in events)
        response = StreamingHttpResponse(body, content_type="application/x-ndjson")
        response["Cache-Control"] = "no-store"
        response["X-Accel-Buffering"] = "no"
        return response
    for event in events:
        if event.error:
            messages.error(request, event.error)
    return redirect("run_direct", org_slug=actor.organization.slug, run_id=run.public_id)

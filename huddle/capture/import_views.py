"""Import pages: upload an export, watch its job, list the member's patterns, promote one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.capture import queries
from huddle.capture.forms import ImportForm, TitleForm
from huddle.capture.importers import jobs, patterns
from huddle.capture.importers.models import ExportSource, Pattern
from huddle.capture.promote import choices_from
from huddle.core.errors import HuddleError, ValidationFailed
from huddle.core.forms import cleaned
from huddle.core.uploads import max_upload_bytes, refuse_if_too_large


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            refuse_if_too_large(request)
            values = cleaned(form, "The import can't start; see the fields.")
            job = jobs.import_job_create(
                actor=actor, source=values["source"], upload=values["file"]
            )
        except ValidationFailed as error:
            errors = error.fields or {"__all__": [error.message]}
        except HuddleError as error:  # too large
            errors = {"file": [error.message]}
        else:
            return redirect("import_job", org_slug=actor.organization.slug, job_id=job.public_id)
    return render(
        request,
        "capture/import.html",
        {
            "errors": errors,
            "source": form["source"].value(),
            "sources": ExportSource.choices,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "jobs": jobs.my_jobs(actor)[:10],
        },
        status=422 if errors else 200,
    )


@org_view()
def import_job(request: HttpRequest, actor: Actor, job_id: str) -> HttpResponse:
    job = jobs.get_job(actor, job_id)
    template = "capture/_job.html" if request.htmx else "capture/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


@org_view()
def pattern_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "capture/patterns.html",
        {
            "patterns": patterns.my_patterns(actor)[:200],
            "signals": queries.import_signals(actor),
            "can_create": actor.can(Action.CREATE_CONTENT),
        },
    )


@org_view(Action.CREATE_CONTENT)
@require_POST
def pattern_mine(request: HttpRequest, actor: Actor) -> HttpResponse:
    """ "Look again": the worker mines; its page follows it (429 past the hourly limit)."""
    job = jobs.mining_job_create(actor=actor)
    return redirect("pattern_mining", org_slug=actor.organization.slug, job_id=job.public_id)


@org_view()
def pattern_mining(request: HttpRequest, actor: Actor, job_id: str) -> HttpResponse:
    job = jobs.get_mining(actor, job_id)
    template = "capture/_mining.html" if request.htmx else "capture/mining.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": job})


def _pattern_page(
    request: HttpRequest,
    actor: Actor,
    pattern: Pattern,
    data: Any,
    problems: Any = None,
    title_form: TitleForm | None = None,
) -> HttpResponse:
    """The pattern's page, showing the choices in ``data`` (the query or the post) and, for a
    refused post, its ``problems`` and the title's own."""
    built = patterns.pattern_preview(pattern, choices_from(data))
    title_form = title_form or TitleForm(data)
    return render(
        request,
        "capture/pattern.html",
        {
            "pattern": pattern,
            "template": built.templates[0],
            "inputs": built.inputs,
            "dropped": built.dropped,
            "problems": problems or built.problems,
            "title": title_form["title"].value() or patterns.suggested_title(pattern),
            "title_errors": title_form.errors.get("title", []),
            "can_create": actor.can(Action.CREATE_CONTENT),
        },
    )


@org_view()
def pattern_detail(request: HttpRequest, actor: Actor, pattern_id: str) -> HttpResponse:
    """The pattern as a workflow would be: rename or remove inputs, then create it."""
    return _pattern_page(request, actor, patterns.get_pattern(actor, pattern_id), request.GET)


@org_view()
@require_POST
def pattern_promote(request: HttpRequest, actor: Actor, pattern_id: str) -> HttpResponse:
    pattern = patterns.get_pattern(actor, pattern_id)
    title_form = TitleForm(request.POST)
    try:
        title = cleaned(title_form, "Check the workflow title.")["title"]
        workflow = patterns.pattern_promote(
            actor=actor, pattern=pattern, title=title, choices=choices_from(request.POST)
        )
    except ValidationFailed as error:
        problems = {k: v for k, v in error.fields.items() if k != "title"}
        return _pattern_page(request, actor, pattern, request.POST, problems, title_form)
    messages.success(request, f"“{workflow.title}” is a draft workflow, visible to you.")
    return redirect(
        "workflow_detail", org_slug=actor.organization.slug, workflow_slug=workflow.slug
    )

"""Library pages: browse and search, the workflow page, the editor, versions and diffs."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts import policy
from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Visibility
from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.context.tokens import BUDGETS
from huddle.core.errors import HuddleError, ValidationFailed
from huddle.core.forms import cleaned
from huddle.library import contextrefs, listing, panels, queries, services
from huddle.library.assembly import assemble
from huddle.library.content import VersionContent, validate
from huddle.library.editor import INPUT_TYPE_CHOICES, EditorState
from huddle.library.forms import (
    ArchiveForm,
    BudgetForm,
    EditorForm,
    EndorseForm,
    PublishForm,
    StarForm,
)
from huddle.library.models import Kind, Status, Workflow
from huddle.library.queries import SORTS, LibraryFilter
from huddle.library.rendering import content_of, input_values, render_version


def _filters(request: HttpRequest) -> LibraryFilter:
    get = request.GET
    sort = get.get("sort", "")
    return LibraryFilter(
        q=get.get("q", "").strip()[:200],
        kind=get.get("kind", "") if get.get("kind") in Kind.values else "",
        tag=get.get("tag", "").strip()[:40],
        team=get.get("team", "").strip()[:50],
        owner=get.get("owner", "").strip()[:254],
        status=get.get("status", "") if get.get("status") in Status.values else "",
        sort=sort if sort in SORTS else "",
    )


@org_view()
def library_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    filters = _filters(request)
    results = queries.search_workflows(actor, filters)
    page = listing.page_of_cards(actor.organization, results, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "sorts": SORTS,
        "kinds": Kind.choices,
        "statuses": Status.choices,
        "tags": queries.tags_in_use(actor),
        "teams": accounts_queries.team_choices(actor),
        "can_create": actor.can(Action.CREATE_CONTENT),
    }
    if request.htmx and request.htmx.target == "results":
        return render(request, "library/_results.html", context)
    return render(request, "library/index.html", context)


def _editor_context(
    actor: Actor, state: EditorState, errors: dict[str, list[str]], **extra: Any
) -> dict[str, Any]:
    return {
        "state": state,
        "errors": errors,
        "step_rows": state.step_rows(errors),
        "input_rows": state.input_rows(errors),
        "kinds": Kind.choices,
        "visibilities": Visibility.choices,
        "teams": accounts_queries.teams(actor),
        "input_types": INPUT_TYPE_CHOICES,
        "context_slugs": sorted(contextrefs.known_slugs(actor)),
        **extra,
    }


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def workflow_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        state = EditorState.from_post(request.POST)
        if cleaned(EditorForm(request.POST), "Check the form.")["from_paste"]:
            # Coming from the paste page: show the editor prefilled, save nothing yet.
            return render(
                request, "library/editor.html", _editor_context(actor, state, {}, is_new=True)
            )
        try:
            workflow = services.workflow_create(
                actor=actor,
                title=state.title,
                kind=state.kind,
                slug=state.slug,
                summary=state.summary,
                tags=state.tag_list(),
                visibility=state.visibility,
                team=accounts_queries.team_by_slug(actor.organization, state.team),
                content=VersionContent.from_data(state.content_data()),
                changelog=state.changelog or "First version",
            )
        except ValidationFailed as error:
            errors = error.fields or {"__all__": [error.message]}
        else:
            messages.success(request, f"“{workflow.title}” saved as version 1.")
            return redirect(
                "workflow_detail", org_slug=actor.organization.slug, workflow_slug=workflow.slug
            )
    else:
        state = EditorState()
    return render(
        request, "library/editor.html", _editor_context(actor, state, errors, is_new=True)
    )


@org_view(Action.CREATE_CONTENT)
def workflow_new_paste(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(request, "library/paste.html", {})


@org_view(Action.CREATE_CONTENT)
@require_POST
def workflow_validate(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Live validation for the editor (HTMX): the problems, or what the templates use."""
    state = EditorState.from_post(request.POST)
    problems: dict[str, list[str]] = {}
    uses: dict[str, list[str]] = {}
    try:
        content = VersionContent.from_data(state.content_data())
        uses = validate(state.kind, content, known_context=contextrefs.known_slugs(actor))
    except ValidationFailed as error:
        problems = error.fields or {"__all__": [error.message]}
    return render(request, "library/_validation.html", {"problems": problems, "uses": uses})


@org_view()
def workflow_detail(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    version = services.latest_version(workflow)
    content = content_of(version)
    versions = queries.versions_of(workflow)
    return render(
        request,
        "library/detail.html",
        {
            "workflow": workflow,
            "version": version,
            "content": content,
            "values": input_values(content.inputs, request.GET),
            "versions": versions,
            "labels": queries.labels_of(workflow),
            "endorsed": queries.endorsed_version(workflow),
            "forks": queries.visible_forks(actor, workflow),
            "tags": queries.tags_of(workflow),
            "starred": queries.is_starred(actor, workflow),
            "can_edit": policy.can_edit(actor, workflow),
            "can_curate": actor.can(Action.CURATE_CONTENT),
            "can_fork": actor.can(Action.CREATE_CONTENT),
            "is_owner": workflow.owner_id == actor.user.pk,
            "visibilities": Visibility.choices,
            "teams": accounts_queries.teams(actor),
            "panels": panels.for_workflow(actor, workflow),
        },
    )


@org_view()
@require_POST
def workflow_render(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    version = services.latest_version(workflow)
    values = input_values(content_of(version).inputs, request.POST)
    try:
        rendered = render_version(actor, version, values)
    except HuddleError as error:
        return render(request, "library/_rendered.html", {"error": error}, status=200)
    return render(request, "library/_rendered.html", {"rendered": rendered, "workflow": workflow})


@org_view()
@require_http_methods(["GET", "POST"])
def workflow_assembly(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    """The final prompt with each context block marked, counted against a model's budget."""
    workflow = queries.get_workflow(actor, workflow_slug)
    version = services.latest_version(workflow)
    content = content_of(version)
    picked = BudgetForm(request.POST if request.method == "POST" else request.GET)
    budget = picked.chosen()
    values = input_values(content.inputs, request.POST, request.GET)
    assembly = problem = None
    # Inputs carried from "Use it" or "Run it" (issue 19): show the assembly at once.
    carried = any(key.startswith("in_") for key in request.GET)
    if request.method == "POST" or carried:
        try:
            cleaned(picked, "Choose a target model.")
            assembly = assemble(actor, version, values, budget=budget)
        except HuddleError as error:
            problem = error
    context = {
        "workflow": workflow,
        "content": content,
        "values": values,
        "budget": budget,
        "budgets": BUDGETS.values(),
        "assembly": assembly,
        "problem": problem,
    }
    if request.htmx:
        return render(request, "library/_assembly.html", context)
    return render(request, "library/assembly.html", context)


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def workflow_edit(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    policy.require_edit(actor, workflow)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        state = EditorState.from_post(request.POST)
        state.kind = workflow.kind
        try:
            version = services.workflow_edit(
                actor=actor,
                workflow=workflow,
                title=state.title,
                summary=state.summary,
                tags=state.tag_list(),
                content=VersionContent.from_data(state.content_data()),
                changelog=state.changelog,
            )
        except ValidationFailed as error:
            errors = error.fields or {"__all__": [error.message]}
        else:
            messages.success(request, f"Saved as version {version.number}.")
            return redirect(
                "workflow_detail", org_slug=actor.organization.slug, workflow_slug=workflow.slug
            )
    else:
        state = EditorState.from_version(workflow, services.latest_version(workflow))
    return render(
        request,
        "library/editor.html",
        _editor_context(actor, state, errors, is_new=False, workflow=workflow),
    )


@org_view()
def workflow_version(
    request: HttpRequest, actor: Actor, workflow_slug: str, number: int
) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    version = queries.get_version(workflow, number)
    return render(
        request,
        "library/version.html",
        {
            "workflow": workflow,
            "version": version,
            "labels": queries.labels_of(workflow).get(version.number, []),
            "can_edit": policy.can_edit(actor, workflow),
        },
    )


@org_view()
def workflow_diff(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    latest = services.latest_version(workflow).number

    def number(name: str, default: int) -> int:
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() else default

    new = queries.get_version(workflow, number("to", latest))
    old = queries.get_version(workflow, number("from", max(1, new.number - 1)))
    return render(
        request,
        "library/diff.html",
        {
            "workflow": workflow,
            "old": old,
            "new": new,
            "diff": services.version_diff(old, new),
            "numbers": queries.version_numbers(workflow),
        },
    )


def _back(actor: Actor, workflow: Workflow) -> HttpResponse:
    return redirect(
        "workflow_detail", org_slug=actor.organization.slug, workflow_slug=workflow.slug
    )


@org_view(Action.CREATE_CONTENT)
@require_POST
def workflow_publish(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    posted = cleaned(
        PublishForm(request.POST, organization=actor.organization), "Check the sharing."
    )
    visibility = posted["visibility"]
    services.workflow_publish(
        actor=actor, workflow=workflow, visibility=visibility, team=posted["team"]
    )
    label = dict(Visibility.choices)[visibility]
    messages.success(request, f"Visible to: {label.lower()}.")
    return _back(actor, workflow)


@org_view(Action.CURATE_CONTENT)
@require_POST
def workflow_endorse(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    number = cleaned(EndorseForm(request.POST), "Choose a version to endorse.")["version"]
    version = queries.get_version(workflow, number) if number else None
    services.workflow_endorse(actor=actor, workflow=workflow, version=version)
    messages.success(request, "Endorsed: the team will see this version recommended.")
    return _back(actor, workflow)


@org_view(Action.CREATE_CONTENT)
@require_POST
def workflow_archive(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    archived = cleaned(ArchiveForm(request.POST), "Archive or restore?")["archived"]
    services.workflow_archive(actor=actor, workflow=workflow, archived=archived)
    messages.success(request, "Archived." if archived else "Restored.")
    return _back(actor, workflow)


@org_view(Action.CREATE_CONTENT)
@require_POST
def workflow_fork(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    copy = services.workflow_fork(actor=actor, workflow=workflow)
    messages.success(request, "This is your private copy: change it freely.")
    return _back(actor, copy)


@org_view()
@require_POST
def workflow_star(request: HttpRequest, actor: Actor, workflow_slug: str) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    starred = cleaned(StarForm(request.POST), "Star or unstar?")["starred"]
    workflow = services.workflow_star(actor=actor, workflow=workflow, starred=starred)
    if request.htmx:
        return render(request, "library/_star.html", {"workflow": workflow, "starred": starred})
    return _back(actor, workflow)


@org_view(Action.CREATE_CONTENT)
@require_POST
def workflow_rollback(
    request: HttpRequest, actor: Actor, workflow_slug: str, number: int
) -> HttpResponse:
    workflow = queries.get_workflow(actor, workflow_slug)
    version = queries.get_version(workflow, number)
    services.workflow_move_label(actor=actor, workflow=workflow, label="latest", version=version)
    messages.success(request, f"Rolled back: version {number} is the latest again.")
    return _back(actor, workflow)

"""Capture pages: the list, the "Capture a workflow" form, a capture's page, and promoting it."""

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
from huddle.capture import queries, services
from huddle.capture.forms import ShareForm, TitleForm, capture_fields, spans_from
from huddle.capture.models import Capture, Tool
from huddle.capture.promote import Span, choices_from
from huddle.capture.services import CaptureData
from huddle.context import queries as context_queries
from huddle.core.errors import ValidationFailed
from huddle.core.forms import cleaned


def _form_rows(data: dict[str, Any], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    steps = data.get("steps") or [{"text": "", "examples": []}]
    return [
        {
            "index": i,
            "text": step.get("text", ""),
            "examples": list(step.get("examples") or []) or [""],
            "errors": [m for k, ms in errors.items() if k.startswith(f"steps.{i}") for m in ms],
        }
        for i, step in enumerate(steps)
    ]


def _form(
    request: HttpRequest, data: dict[str, Any], errors: dict[str, list[str]], **extra: Any
) -> HttpResponse:
    return render(
        request,
        "capture/form.html",
        {
            "data": data,
            "errors": errors,
            "rows": _form_rows(data, errors),
            "tools": Tool.choices,
            "context_choices": list(
                context_queries.assets(request.actor)
                .order_by("slug")
                .values_list("slug", "title")[:100]  # type: ignore[attr-defined]
            ),
            **extra,
        },
    )


@org_view()
def capture_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    visible = queries.visible_captures(actor)
    return render(
        request,
        "capture/index.html",
        {
            "mine": visible.filter(owner=actor.user),
            "shared": visible.exclude(owner=actor.user)[:100],
            "can_create": actor.can(Action.CREATE_CONTENT),
        },
    )


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def capture_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    if request.method != "POST":
        return _form(request, {"tool": Tool.CHATGPT}, {}, is_new=True)
    data = capture_fields(request.POST)
    try:
        capture = services.capture_create(actor=actor, data=CaptureData.from_data(data))
    except ValidationFailed as error:
        return _form(request, data, error.fields or {"__all__": [error.message]}, is_new=True)
    messages.success(request, "Captured. Only you can see it until you share it.")
    return redirect(
        "capture_detail", org_slug=actor.organization.slug, capture_id=capture.public_id
    )


@org_view()
@require_http_methods(["GET", "POST"])
def capture_edit(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    # Look up first and check rights after: a private capture is 404 to everyone but its author.
    capture = queries.get_capture(actor, capture_id)
    policy.require_edit(actor, capture)
    if request.method != "POST":
        data = CaptureData.from_capture(capture).fields()
        data["context_slugs"] = ", ".join(data["context_slugs"])
        return _form(request, data, {}, is_new=False, capture=capture)
    data = capture_fields(request.POST)
    try:
        services.capture_update(actor=actor, capture=capture, data=CaptureData.from_data(data))
    except ValidationFailed as error:
        errors = error.fields or {"__all__": [error.message]}
        return _form(request, data, errors, is_new=False, capture=capture)
    messages.success(request, "Saved.")
    return redirect(
        "capture_detail", org_slug=actor.organization.slug, capture_id=capture.public_id
    )


@org_view()
def capture_detail(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    capture = queries.get_capture(actor, capture_id)
    promoted = capture.promoted_to
    return render(
        request,
        "capture/detail.html",
        {
            "capture": capture,
            "can_edit": policy.can_edit(actor, capture),
            "promoted": promoted if promoted and policy.can_see(actor, promoted) else None,
            "visibilities": Visibility.choices,
            "teams": accounts_queries.teams(actor),
        },
    )


@org_view()
@require_POST
def capture_share(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    capture = queries.get_capture(actor, capture_id)
    form = ShareForm(request.POST, organization=actor.organization)
    values = cleaned(form, "Choose who can see it.")
    visibility = values["visibility"]
    services.capture_share(actor=actor, capture=capture, visibility=visibility, team=values["team"])
    label = Visibility(visibility).label
    messages.success(request, f"Visible to: {label.lower()}.")
    return redirect(
        "capture_detail", org_slug=actor.organization.slug, capture_id=capture.public_id
    )


@org_view()
@require_POST
def capture_delete(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    capture = queries.get_capture(actor, capture_id)
    services.capture_delete(actor=actor, capture=capture)
    messages.success(request, f"“{capture.title}” deleted.")
    return redirect("capture_index", org_slug=actor.organization.slug)


def _promote_context(
    actor: Actor, capture: Capture, spans: list[Span], choices: dict[str, str | None]
) -> dict[str, Any]:
    preview = services.promote_preview(capture, spans, actor=actor, choices=choices)
    return {
        "capture": capture,
        "spans": [{"index": k, "span": span} for k, span in enumerate(spans)],
        "preview": preview,
        "preview_data": preview.as_data(),
    }


@org_view()
@require_http_methods(["GET", "POST"])
def capture_promote(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    """Select the parts that change, watch the preview, then make the draft workflow."""
    capture = queries.get_capture(actor, capture_id)
    policy.require_edit(actor, capture)
    spans = spans_from(request.POST) if request.method == "POST" else []
    title_form = TitleForm(request.POST or None, initial={"title": capture.title})
    if request.method == "POST" and title_form.is_valid():
        try:
            workflow, preview = services.capture_promote(
                actor=actor,
                capture=capture,
                spans=spans,
                title=title_form.cleaned_data["title"],
                choices=choices_from(request.POST),
            )
        except ValidationFailed:
            pass  # the preview on the page names every problem
        else:
            note = ""
            if preview.context_to_attach:
                note = " Context to attach: " + ", ".join(preview.context_to_attach) + "."
            messages.success(
                request, f"“{workflow.title}” is a draft workflow, visible to you.{note}"
            )
            return redirect(
                "workflow_detail", org_slug=actor.organization.slug, workflow_slug=workflow.slug
            )
    context = _promote_context(actor, capture, spans, choices_from(request.POST))
    context["title_form"] = title_form
    return render(request, "capture/promote.html", context)


@org_view()
@require_POST
def capture_promote_preview(request: HttpRequest, actor: Actor, capture_id: str) -> HttpResponse:
    """The live preview of the promote page (HTMX)."""
    capture = queries.get_capture(actor, capture_id)
    policy.require_edit(actor, capture)
    context = _promote_context(actor, capture, spans_from(request.POST), choices_from(request.POST))
    return render(request, "capture/_preview.html", context)

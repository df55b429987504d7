"""The admins' page for LLM providers: ``/o/<slug>/settings/providers/``. Thin adapters."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.core.crypto import encryption_status
from huddle.core.errors import ValidationFailed
from huddle.core.forms import errors_onto
from huddle.runs.providers import queries, services
from huddle.runs.providers.forms import ProviderForm


def _no_store(response: HttpResponse) -> HttpResponse:
    # The form carries a key on its way in: never let a proxy or the back button keep the page.
    response["Cache-Control"] = "no-store"
    return response


@org_view(Action.MANAGE_PROVIDERS)
@require_http_methods(["GET", "POST"])
def providers(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            config = services.provider_create(
                actor=actor, fields=form.provider_fields(), api_key=form.cleaned_data["api_key"]
            )
        except ValidationFailed as error:
            errors_onto(form, error)
        else:
            messages.success(request, f"Provider {config.name} added. Test it below.")
            return redirect("providers", org_slug=actor.organization.slug)
    context = {
        "providers": queries.providers(actor),
        "form": form,
        "encryption": encryption_status(),
    }
    return _no_store(render(request, "runs/providers.html", context))


@org_view(Action.MANAGE_PROVIDERS)
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, actor: Actor, provider_id: str) -> HttpResponse:
    config = queries.get_provider(actor, provider_id, manage=True)
    form = ProviderForm(
        request.POST or None, config=config, initial=ProviderForm.initial_for(config)
    )
    if request.method == "POST" and form.is_valid():
        try:
            key_removed = services.provider_update(
                actor=actor,
                config=config,
                fields=form.provider_fields(),
                api_key=form.cleaned_data["api_key"],
                clear_key=form.cleaned_data.get("clear_key", False),
            )
        except ValidationFailed as error:
            errors_onto(form, error)
        else:
            note = " The stored key was removed." if key_removed else ""
            if key_removed and not form.cleaned_data.get("clear_key"):
                note = " The base URL changed, so the stored key was removed: enter it again."
            messages.success(request, f"Provider {config.name} saved.{note}")
            return redirect("providers", org_slug=actor.organization.slug)
    context = {"config": config, "form": form, "encryption": encryption_status()}
    return _no_store(render(request, "runs/provider_edit.html", context))


@org_view(Action.MANAGE_PROVIDERS)
@require_POST
def provider_test(request: HttpRequest, actor: Actor, provider_id: str) -> HttpResponse:
    config = queries.get_provider(actor, provider_id, manage=True)
    check = services.provider_test(actor=actor, config=config)
    if check.ok:
        messages.success(request, f"{config.name}: {check.message}")
    else:
        messages.error(request, f"{config.name}: {check.message}")
    return redirect("providers", org_slug=actor.organization.slug)


@org_view(Action.MANAGE_PROVIDERS)
@require_POST
def provider_delete(request: HttpRequest, actor: Actor, provider_id: str) -> HttpResponse:
    config = queries.get_provider(actor, provider_id, manage=True)
    services.provider_delete(actor=actor, config=config)
    messages.success(request, f"Provider {config.name} deleted; its key is gone with it.")
    return redirect("providers", org_slug=actor.organization.slug)

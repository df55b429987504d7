"""Context pack pages: thin adapters over ``pack_services``, ``queries`` and ``packs``."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts import policy
from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.context import pack_services, packs, queries
from huddle.context.forms import PackForm
from huddle.context.models import ContextPack
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.forms import errors_onto


def _save_pack(
    request: HttpRequest, form: PackForm | None, save: Callable[..., ContextPack]
) -> HttpResponse | None:
    """Save a valid pack form with ``save(name=, description=, assets=)``; the redirect to the
    pack, or None with the errors on the form."""
    if form is None or not form.is_valid():
        return None
    try:
        pack = save(
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            assets=list(form.cleaned_data["assets"]),
        )
    except ValidationFailed as error:
        errors_onto(form, error)
        return None
    messages.success(request, f"Pack {pack.name} saved.")
    return redirect("context_pack", org_slug=pack.organization.slug, pack_id=pack.public_id)


@org_view()
@require_http_methods(["GET", "POST"])
def context_packs(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = PackForm(request.POST or None, assets=queries.assets(actor))
    if request.method == "POST":
        policy.require(actor, Action.CREATE_CONTENT)
        saved = _save_pack(
            request,
            form,
            lambda **values: pack_services.pack_create(
                actor=actor, organization=actor.organization, **values
            ),
        )
        if saved is not None:
            return saved
    return render(
        request,
        "context/packs.html",
        {
            "packs": queries.packs(actor),
            "form": form,
            "can_create": actor.can(Action.CREATE_CONTENT),
        },
    )


@org_view()
@require_http_methods(["GET", "POST"])
def context_pack(request: HttpRequest, actor: Actor, pack_id: str) -> HttpResponse:
    pack = queries.get_pack(actor, pack_id)
    form = None
    if policy.can_edit(actor, pack):
        form = PackForm(
            request.POST or None,
            assets=queries.assets(actor),
            initial={
                "name": pack.name,
                "description": pack.description,
                "assets": queries.pack_assets(pack),
            },
        )
    if request.method == "POST":
        policy.require_edit(actor, pack)
        saved = _save_pack(
            request,
            form,
            lambda **values: pack_services.pack_update(actor=actor, pack=pack, **values),
        )
        if saved is not None:
            return saved
    return _pack_page(request, actor, pack, form=form)


def _pack_page(
    request: HttpRequest,
    actor: Actor,
    pack: ContextPack,
    status: int = 200,
    form: PackForm | None = None,
) -> HttpResponse:
    target = request.GET.get("target", "")
    target = target if target in packs.TARGETS else packs.DEFAULT_TARGET
    export, problem = None, ""
    try:
        export = packs.pack_export(actor, pack, target)
    except HuddleError as error:
        # An asset of the pack the viewer can't see: say which, as a template would.
        problem, status = error.message, error.status
    return render(
        request,
        "context/pack.html",
        {
            "pack": pack,
            "export": export,
            "problem": problem,
            "target": packs.TARGETS[target],
            "targets": packs.TARGETS.values(),
            "can_edit": policy.can_edit(actor, pack),
            "form": form,
        },
        status=status,
    )


@org_view()
def context_pack_download(
    request: HttpRequest, actor: Actor, pack_id: str, fmt: str
) -> HttpResponse:
    pack = queries.get_pack(actor, pack_id)
    if fmt not in {"md", "zip"}:
        raise NotFound()
    target = request.GET.get("target", packs.DEFAULT_TARGET)
    name = slugify(pack.name) or "context-pack"
    try:
        if fmt == "zip":
            content: bytes | str = packs.pack_zip(actor, pack, target)
            response = HttpResponse(content, content_type="application/zip")
        else:
            content = packs.pack_export(actor, pack, target).text
            response = HttpResponse(content, content_type="text/markdown; charset=utf-8")
    except HuddleError:
        return _pack_page(request, actor, pack)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@org_view(Action.CREATE_CONTENT)
@require_POST
def context_pack_delete(request: HttpRequest, actor: Actor, pack_id: str) -> HttpResponse:
    pack = queries.get_pack(actor, pack_id)
    pack_services.pack_delete(actor=actor, pack=pack)
    messages.success(request, f"Pack {pack.name} deleted.")
    return redirect("context_packs", org_slug=actor.organization.slug)

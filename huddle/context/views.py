"""Context asset pages: thin adapters over ``services``, ``queries`` and ``tokens`` (the packs'
pages are in ``pack_views``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts import policy
from huddle.accounts import queries as account_queries
from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.context import jobs, queries, services, tokens
from huddle.context.forms import ApproveForm, ArchiveForm, AssetForm, SharingForm, initial_for
from huddle.context.kinds import PARTS, summary_columns
from huddle.context.models import ContextAsset, Kind, Status, UploadAction, UploadJob
from huddle.context.usage import usages
from huddle.core.errors import HuddleError, NotFound, ValidationFailed
from huddle.core.forms import cleaned, errors_onto
from huddle.core.uploads import refuse_if_too_large

KIND_HINTS = {
    Kind.BRAND: "Voice and tone, do and don't lists, sample copy.",
    Kind.PERSONA: "Role, goals, pains, objections, channels, quotes.",
    Kind.CAMPAIGN_DATA: "A CSV or XLSX of results, summarised for prompts.",
    Kind.MESSAGING: "Positioning, pillars and proof points.",
    Kind.GLOSSARY: "Preferred, banned and product terms.",
    Kind.OTHER: "Any Markdown, or an uploaded document.",
}


def _kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise NotFound() from None


def _redirect_to(asset: ContextAsset) -> HttpResponse:
    return redirect("context_asset", org_slug=asset.organization.slug, asset_id=asset.public_id)


def _to_job(job: UploadJob) -> HttpResponse:
    return redirect("context_upload_job", org_slug=job.organization.slug, job_id=job.public_id)


def _refused_upload(form: AssetForm, error: HuddleError) -> None:
    """A file refused at upload (too large, or failing the quick checks) as a form error."""
    if error.status not in (413, 422):
        raise error
    errors_onto(form, error)


# --- assets ----------------------------------------------------------------------------------


@org_view()
def context_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    assets = queries.assets(actor, kind=kind, status=status, search=request.GET.get("q", ""))
    return render(
        request,
        "context/index.html",
        {
            "assets": assets,
            "kinds": [(k, KIND_HINTS[k]) for k in Kind],
            "kind": kind,
            "status": status,
            "statuses": Status,
            "can_create": actor.can(Action.CREATE_CONTENT),
        },
    )


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def context_new(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    kind = _kind(kind)
    if request.method == "POST":
        refuse_if_too_large(request)
    teams = account_queries.teams(actor)
    form = AssetForm(request.POST or None, request.FILES or None, kind=kind, new=True, teams=teams)
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        common = {
            "kind": kind,
            "slug": values["slug"],
            "title": values["title"],
            "description": values["description"],
            "visibility": values["visibility"],
            "team": values["team"],
            "draft": values["draft"],
            "data": form.content(),
        }
        try:
            if values.get("file"):
                # The file is parsed by the worker; the job's page shows its progress.
                return _to_job(
                    jobs.upload_job_for_asset(actor=actor, file=values["file"], **common)
                )
            asset = services.asset_create(actor=actor, organization=actor.organization, **common)
        except HuddleError as error:
            _refused_upload(form, error)
        else:
            if asset.status == Status.DRAFT:
                messages.success(request, f"{asset.title} is saved as a draft.")
            else:
                messages.success(
                    request, f"{asset.title} is ready: use {{{{ context.{asset.slug} }}}}."
                )
            return _redirect_to(asset)
    return render(
        request,
        "context/form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": kind.label,
            "new": True,
            "curator": actor.can(Action.CURATE_CONTENT),
        },
    )


@org_view()
def context_asset(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    number = request.GET.get("version")
    version = queries.get_version(asset, int(number) if (number or "").isdigit() else None)
    data = version.data
    context = {
        "asset": asset,
        "version": version,
        "data": data,
        "pending": queries.pending_version(asset),
        "can_edit": policy.can_edit(actor, asset),
        "can_approve": actor.can(Action.CURATE_CONTENT),
        "usages": usages(actor, asset),
        "parts": PARTS[asset.kind],
        "packs": queries.packs_of(actor, asset),
        "sharing_form": SharingForm(
            initial={"visibility": asset.visibility, "team": asset.team},
            teams=account_queries.teams(actor),
        ),
    }
    if asset.kind == Kind.CAMPAIGN_DATA:
        context["columns"] = summary_columns(data["summary"])
    return render(request, "context/asset.html", context)


@org_view(Action.CREATE_CONTENT)
@require_http_methods(["GET", "POST"])
def context_edit(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    policy.require_edit(actor, asset)
    if request.method == "POST":
        refuse_if_too_large(request)
    latest = queries.get_version(asset, asset.latest_number)
    form = AssetForm(
        request.POST or None,
        request.FILES or None,
        kind=asset.kind,
        new=False,
        teams=account_queries.teams(actor),
        initial=initial_for(asset, latest.data),
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        common = {
            "title": values["title"],
            "data": None if asset.kind == Kind.CAMPAIGN_DATA else form.content(),
            "changelog": values["changelog"],
            "draft": values["draft"],
        }
        try:
            if values.get("file"):
                return _to_job(
                    jobs.upload_job_for_version(
                        actor=actor, asset=asset, file=values["file"], **common
                    )
                )
            version = services.asset_update(actor=actor, asset=asset, **common)
        except HuddleError as error:
            _refused_upload(form, error)
        else:
            if asset.approved_version_id == version.pk:
                messages.success(request, f"Version {version.number} saved and in use.")
            else:
                messages.success(
                    request, f"Version {version.number} saved; it waits for an editor's approval."
                )
            return _redirect_to(asset)
    return render(
        request,
        "context/form.html",
        {
            "form": form,
            "asset": asset,
            "kind": asset.kind,
            "kind_label": Kind(asset.kind).label,
            "new": False,
            "curator": actor.can(Action.CURATE_CONTENT),
            "usages": usages(actor, asset),
        },
    )


@org_view()
def context_upload_job(request: HttpRequest, actor: Actor, job_id: str) -> HttpResponse:
    """An upload being read by the worker: its progress (polled), then the asset or the error.
    Only its uploader sees it."""
    job = jobs.get_job(actor, job_id)
    # Shown only while the uploader may still see it (its sharing can change meanwhile).
    asset = job.asset if job.asset is not None and policy.can_see(actor, job.asset) else None
    slug = actor.organization.slug
    again = ""
    if job.action == UploadAction.CREATE:
        again = reverse("context_new", args=[slug, job.kind])
    elif asset is not None:
        again = reverse("context_edit", args=[slug, asset.public_id])
    htmx = request.htmx  # type: ignore[attr-defined]
    return render(
        request,
        "context/_upload_job.html" if htmx else "context/upload_job.html",
        {
            "job": job,
            "asset": asset,
            "again": again,
            "waiting_long": jobs.waiting_long(job),
            "waiting_approval": asset is not None
            and (
                asset.approved_version is None
                or asset.approved_version.number != job.version_number
            ),
        },
    )


@org_view()
def context_versions(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    return render(
        request,
        "context/versions.html",
        {
            "asset": asset,
            "versions": queries.versions(asset),
            "can_approve": actor.can(Action.CURATE_CONTENT),
        },
    )


@org_view(Action.CURATE_CONTENT)
@require_POST
def context_approve(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    number = cleaned(ApproveForm(request.POST), "Choose a version to approve.")["version"]
    version = services.asset_approve(actor=actor, asset=asset, number=number)
    messages.success(request, f"Version {version.number} of {asset.title} is approved and in use.")
    return _redirect_to(asset)


@org_view(Action.CREATE_CONTENT)
@require_POST
def context_archive(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    if cleaned(ArchiveForm(request.POST), "")["restore"]:
        services.asset_restore(actor=actor, asset=asset)
        messages.success(request, f"{asset.title} is restored.")
    else:
        services.asset_archive(actor=actor, asset=asset)
        messages.success(request, f"{asset.title} is archived; prompts can no longer use it.")
    return _redirect_to(asset)


@org_view(Action.CREATE_CONTENT)
@require_POST
def context_sharing(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    asset = queries.get_asset(actor, asset_id)
    form = SharingForm(request.POST, teams=account_queries.teams(actor))
    if not form.is_valid():
        raise ValidationFailed("Choose who may see it.")
    services.asset_set_sharing(
        actor=actor,
        asset=asset,
        visibility=form.cleaned_data["visibility"],
        team=form.cleaned_data["team"],
    )
    messages.success(request, f"{asset.title} is now visible to: {asset.get_visibility_display()}.")
    return _redirect_to(asset)


@org_view()
def context_preview(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    """What a prompt receives from this asset, part by part, with token counts."""
    asset = queries.get_asset(actor, asset_id)
    version = queries.get_version(asset)
    budget = tokens.get_budget(
        request.GET.get("budget")
        if request.GET.get("budget") in tokens.BUDGETS
        else tokens.DEFAULT_BUDGET
    )
    rows = []
    for name in ("text", *PARTS[asset.kind]):
        text = version.parts.get(name, "")
        reference = (
            f"{{{{ context.{asset.slug} }}}}"
            if name == "text"
            else (f"{{{{ context.{asset.slug}.{name} }}}}")
        )
        rows.append(
            {
                "name": name,
                "reference": reference,
                "text": text,
                "tokens": tokens.count_tokens(text, budget.encoding),
                "chars": len(text),
            }
        )
    report = tokens.budget_report(
        [
            tokens.Block(
                asset.slug,
                asset.kind,
                version.parts.get("table", version.text),
                alternative=version.parts.get("summary"),
            )
        ]
        if asset.kind == Kind.CAMPAIGN_DATA
        else [tokens.Block(asset.slug, asset.kind, version.text)],
        budget,
    )
    return render(
        request,
        "context/preview.html",
        {
            "asset": asset,
            "version": version,
            "rows": rows,
            "budget": budget,
            "budgets": tokens.BUDGETS.values(),
            "default_tokens": rows[0]["tokens"],
            "share": round(100 * rows[0]["tokens"] / budget.tokens, 1),
            "report": report,
        },
    )


@org_view()
def context_table_csv(request: HttpRequest, actor: Actor, asset_id: str) -> HttpResponse:
    """The stored campaign table as CSV (the version shown, else the approved one); cells a
    spreadsheet would run as formulas are written as text (``core.csvsafe``)."""
    from huddle.context.parsing.tables import table_rows
    from huddle.core import csvsafe

    asset = queries.get_asset(actor, asset_id)
    number = request.GET.get("version", "")
    version = queries.get_version(asset, int(number) if number.isdigit() else None)
    if asset.kind != Kind.CAMPAIGN_DATA or not version.table_gz:
        raise NotFound()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{asset.slug}-v{version.number}.csv"'
    csvsafe.writer(response).writerows(table_rows(bytes(version.table_gz)))
    return response

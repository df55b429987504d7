"""Usage report pages for admins: upload a report, follow its import, download who is unknown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.core import csvsafe
from huddle.core.errors import HuddleError, ValidationFailed
from huddle.core.forms import cleaned
from huddle.core.uploads import max_upload_bytes, refuse_if_too_large
from huddle.usage import queries, services
from huddle.usage.forms import UploadForm
from huddle.usage.models import ReportSource


@org_view(Action.MANAGE_MEMBERS)
@require_http_methods(["GET", "POST"])
def usage_imports(request: HttpRequest, actor: Actor) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    form = UploadForm(request.POST or None)
    source = form["source"].value() or ReportSource.CHATGPT
    if request.method == "POST":
        try:
            refuse_if_too_large(request)
            posted = cleaned(form, "Check the form.")
            record = services.upload_queue(
                actor=actor,
                source=posted["source"],
                upload=request.FILES.get("file"),
                create_members=posted["create_members"],
            )
        except ValidationFailed as error:
            errors = error.fields or {"__all__": [error.message]}
            if error.message and "file" in errors and error.message not in errors["file"]:
                errors = {**errors, "__all__": [error.message]}
        except HuddleError as error:  # too large
            errors = {"file": [error.message]}
        else:
            return redirect(
                "usage_import", org_slug=actor.organization.slug, import_id=record.public_id
            )
    return render(
        request,
        "usage/imports.html",
        {
            "errors": errors,
            "source": source,
            "sources": ReportSource.choices,
            "max_mb": max_upload_bytes() // (1024 * 1024),
            "imports": queries.imports_for(actor)[:20],
        },
        status=422 if errors else 200,
    )


@org_view(Action.MANAGE_MEMBERS)
def usage_import(request: HttpRequest, actor: Actor, import_id: str) -> HttpResponse:
    record = queries.get_import(actor, import_id)
    if request.GET.get("format") == "csv":  # the people the report names who aren't members
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="unknown-{record.public_id}.csv"'
        writer = csvsafe.writer(response)
        writer.writerow(["email"])
        for email in record.report.get("unknown", []):
            writer.writerow([email])
        return response
    template = "usage/_import.html" if request.htmx else "usage/import.html"  # type: ignore[attr-defined]
    return render(request, template, {"record": record})

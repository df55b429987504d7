"""Brand pages: "Check my text", and the HTMX fragment the run flow re-checks the final text with.

One URL serves both: a full page on a normal request, the results fragment on an HTMX one.
Viewers may check texts too: checking reads the brand rules and writes nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from huddle.accounts.policy import Actor
from huddle.accounts.web import org_view
from huddle.brand import rules, services
from huddle.brand.checker import Finding
from huddle.brand.forms import BrandCheckForm
from huddle.brand.judge import judge_available, judge_tone
from huddle.core.errors import ValidationFailed
from huddle.core.forms import cleaned
from huddle.library import queries as library_queries


def highlight(text: str, findings: tuple[Finding, ...]) -> list[dict[str, Any]]:
    """The text cut into plain and marked pieces; a finding overlapping an earlier one is only
    listed, not marked (marks never nest)."""
    pieces: list[dict[str, Any]] = []
    cursor = 0
    for number, finding in enumerate(findings, start=1):
        if finding.start is None or finding.end is None or finding.start < cursor:
            continue
        if finding.start > cursor:
            pieces.append({"text": text[cursor : finding.start]})
        pieces.append({"text": text[finding.start : finding.end], "finding": finding, "n": number})
        cursor = finding.end
    if cursor < len(text):
        pieces.append({"text": text[cursor:]})
    return pieces


@org_view()
@require_http_methods(["GET", "POST"])
def brand_check_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = BrandCheckForm(request.POST if request.method == "POST" else request.GET)
    # A link may prefill the page (GET): what is valid of it is shown, the rest left empty.
    form.is_valid()
    values = form.cleaned_data
    text = form.checked_text()
    workflow = values.get("workflow", "")
    channel = values.get("channel", "")
    context: dict[str, Any] = {
        "text": text,
        "workflow_slug": workflow,
        "channel": channel,
        "result": None,
        "problem": None,
        "compact": values.get("compact", False),
    }
    if request.method == "POST":
        try:
            cleaned(form, "Check what you sent.")
            result = services.brand_check(
                actor=actor, text=text, workflow=workflow or None, channel=channel or None
            )
        except ValidationFailed as error:
            # A form's message names each field's problem already: no list of them below it.
            context["problem"] = ValidationFailed(error.message) if form.errors else error
        else:
            context["result"] = result
            context["pieces"] = highlight(result.text, result.report.findings)
            if values["judge"]:
                context["opinion"] = judge_tone(actor=actor, text=text)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "brand/_report.html", context)
    ruleset = context["result"].ruleset if context["result"] else rules.ruleset_for(actor)
    context["ruleset"] = ruleset
    context["channels"] = sorted(ruleset.channels())
    context["workflows"] = library_queries.visible_workflows(actor).order_by("title")[:200]
    context["judge_available"] = judge_available(actor)
    return render(request, "brand/check.html", context)

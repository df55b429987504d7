"""Reading what the capture pages post.

The "Capture a workflow" form and the promote page have numbered rows (``step_text_0``,
``step_example_0`` …, ``span_name_0`` …) that a page's script adds and removes, so they are read
by a typed reader each (``capture_fields``, ``spans_from``, like ``promote.choices_from`` for
the renamed inputs) into the plain data ``CaptureData.from_data`` and ``Span.from_data`` check:
every problem keyed by its field, shown next to it, nothing written. The fixed fields are
Django forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Organization, Visibility
from huddle.capture.importers.models import ExportSource
from huddle.capture.promote import Span

MAX_ROWS = 20
MAX_SPANS = 30
TEXT_FIELDS = (
    "title", "goal", "tool", "context_text", "context_slugs", "negative_constraints",
    "manual_edits", "minutes_before", "minutes_after", "failures",
)  # fmt: skip


def capture_fields(post: QueryDict) -> dict[str, Any]:
    """The capture form's fields as plain data for ``CaptureData.from_data`` (rows numbered
    from 0; at most ``MAX_ROWS`` steps)."""
    data: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS}
    data["steps"] = [
        {"text": post.get(f"step_text_{i}", ""), "examples": post.getlist(f"step_example_{i}")}
        for i in range(MAX_ROWS)
        if f"step_text_{i}" in post
    ]
    # The context picker's ticks join the names typed by hand (issue 19).
    typed = [s.strip() for s in str(data.get("context_slugs") or "").split(",") if s.strip()]
    picked = dict.fromkeys([*typed, *post.getlist("context_pick")])
    data["context_slugs"] = ", ".join(picked)
    return data


def spans_from(post: QueryDict) -> list[Span]:
    """The promote page's selected spans (``span_step_k``, ``span_text_k``, ``span_name_k``;
    at most ``MAX_SPANS``); ``promote`` names a bad one in the preview."""
    return [
        Span.from_data(
            {
                "step": post.get(f"span_step_{k}", ""),
                "text": post.get(f"span_text_{k}", ""),
                "name": post.get(f"span_name_{k}", ""),
            }
        )
        for k in range(MAX_SPANS)
        if f"span_name_{k}" in post
    ]


class ShareForm(forms.Form):
    """Who sees a capture: a visibility and, for ``team``, a team of the organisation (by slug,
    through the one team look-up)."""

    visibility = forms.ChoiceField(choices=Visibility.choices, label="Who can see it")
    team = forms.CharField(required=False, max_length=50, label="Team")

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_team(self) -> Any:
        slug = self.cleaned_data["team"]
        team = accounts_queries.team_by_slug(self.organization, slug)
        if slug and team is None:
            raise forms.ValidationError("No such team.")
        return team


class TitleForm(forms.Form):
    """The title of the workflow a capture or a pattern becomes; empty takes the suggested."""

    title = forms.CharField(required=False, max_length=200, label="Workflow title")


class ImportForm(forms.Form):
    source = forms.ChoiceField(
        choices=ExportSource.choices,
        initial=ExportSource.CHATGPT,
        label="Which service is the export from?",
    )
    file = forms.FileField(
        label="The export file",
        error_messages={"required": "Choose the export's .zip (or conversations.json)."},
    )

"""Forms for the library's buttons and pickers (the editor's many rows are read by
``editor.EditorState.from_post``, the workflow's inputs by ``rendering.input_values``)."""

from __future__ import annotations

from typing import Any

from django import forms

from huddle.accounts import queries as accounts_queries
from huddle.accounts.models import Organization, Team, Visibility
from huddle.context.tokens import BUDGETS, DEFAULT_BUDGET

# A hidden "1"/"0" on the archive and star buttons; a post without one means "1".
ON_OFF = [("1", "On"), ("0", "Off")]


def _on_off(label: str) -> forms.Field:
    return forms.TypedChoiceField(
        label=label, choices=ON_OFF, coerce=lambda value: value == "1", required=False,
        empty_value=True,
    )  # fmt: skip


class EditorForm(forms.Form):
    """Whether the editor was posted by the paste page (show it filled in, save nothing)."""

    from_paste = forms.BooleanField(required=False)


class PublishForm(forms.Form):
    visibility = forms.ChoiceField(label="Who can see it", choices=Visibility.choices)
    team = forms.CharField(label="Team", max_length=50, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data["team"]
        team = accounts_queries.team_by_slug(self.organization, slug)
        if slug and team is None:
            raise forms.ValidationError(f"No team '{slug}'.")
        return team


class EndorseForm(forms.Form):
    """Endorse a version (``version``) or, without one, the latest."""

    version = forms.IntegerField(label="Version", required=False, min_value=1)


class ArchiveForm(forms.Form):
    archived = _on_off("Archived")


class StarForm(forms.Form):
    starred = _on_off("Starred")


class BudgetForm(forms.Form):
    """The model whose context window the assembly preview counts against."""

    budget = forms.ChoiceField(
        label="Target model",
        choices=[(key, budget.label) for key, budget in BUDGETS.items()],
        required=False,
    )

    def chosen(self) -> str:
        """The chosen budget's key; the default when none (or an unknown one) was chosen."""
        return (self.cleaned_data.get("budget") if self.is_valid() else "") or DEFAULT_BUDGET

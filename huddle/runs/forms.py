"""Forms for run pages: the copy-paste run, a direct run's start and finish, one step's
generation. The figures (minutes, rating, note) are checked by ``services.Figures.from_data``,
the one reader the API, the CLI and MCP use too; a form puts its messages next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms

from huddle.core.errors import ValidationFailed
from huddle.runs.providers.models import ProviderConfig
from huddle.runs.services import MAX_TEXT, Figures


class TextField(forms.CharField):
    """Text as people see it: not stripped, and a browser's CRLF line breaks become plain
    newlines (what is stored is what was shown)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strip=False, required=False, max_length=MAX_TEXT, **kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")


def _outputs(form: forms.Form, count: int, label: str) -> None:
    for i in range(count):
        form.fields[f"out_{i}"] = TextField(label=f"{label} {i + 1}")


class FiguresForm(forms.Form):
    """Minutes, rating and note; ``cleaned_data["figures"]`` is the checked ``Figures``."""

    minutes_spent = forms.CharField(label="Minutes it took now", max_length=30, required=False)
    baseline_minutes = forms.CharField(
        label="Minutes it used to take", max_length=30, required=False
    )
    rating = forms.CharField(label="How good was it?", max_length=30, required=False)
    rating_note = forms.CharField(label="Note", max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        values = super().clean()
        try:
            values["figures"] = Figures.from_data(values)
        except ValidationFailed as error:
            for name, problems in error.fields.items():
                self.add_error(name, problems)
        return values


class ManualRunForm(FiguresForm):
    """The copy-paste run: every stage posts the inputs (read by ``rendering.input_values``),
    the answers pasted so far (``out_0``…) and, at the end, the final text and figures."""

    action = forms.ChoiceField(
        choices=[("start", "Prepare the prompt"), ("next", "Next step"), ("save", "Save run")],
        required=False,
    )
    final_text = TextField(label="Final text")
    share_text = forms.BooleanField(required=False)

    def __init__(self, *args: Any, steps: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _outputs(self, steps, "The AI's answer to step")


class FinishForm(FiguresForm):
    """A direct run's last page: the final text and the figures."""

    final_text = TextField(label="Final text")
    share_text = forms.BooleanField(required=False)


class StepForm(forms.Form):
    """Generating step ``index``: the (possibly edited) answers to the steps before it."""

    def __init__(self, *args: Any, index: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _outputs(self, index, "The answer to step")


class StartForm(forms.Form):
    """A direct run's first page: which of the organisation's enabled providers runs it."""

    provider = forms.ChoiceField(
        label="Provider",
        error_messages={
            "required": "Choose a provider.",
            "invalid_choice": "Choose one of the providers listed.",
        },
    )

    def __init__(self, *args: Any, providers: list[ProviderConfig], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.providers = {str(p.public_id): p for p in providers}
        self.fields["provider"].choices = [(key, p.name) for key, p in self.providers.items()]

    def clean_provider(self) -> ProviderConfig:
        return self.providers[self.cleaned_data["provider"]]

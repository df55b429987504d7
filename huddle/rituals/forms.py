"""Forms for ritual pages: nominate a win, ask and answer, edit the digest, the schedule.

The services check again what they must (lengths, who may link what), so the API and the CLI
get the same answers; a form adds the page's own checks (a choice from the list, a number, a
time) and keeps the message next to its field.
"""

from __future__ import annotations

from typing import Any

from django import forms

from huddle.rituals import services
from huddle.rituals.config import WEEKDAYS, ScheduleFields
from huddle.rituals.digest import MAX_MARKDOWN
from huddle.rituals.models import Recipients, RitualSettings

# What a win or an answer points at: "<kind>:<public id>" from the page's picker.
SUBJECT_KINDS = ("run", "workflow", "capture")


def _pick(value: str, kinds: tuple[str, ...], message: str) -> tuple[str, str]:
    kind, _, public_id = value.partition(":")
    if value and (kind not in kinds or not public_id):
        raise forms.ValidationError(message)
    return kind, public_id


class NominateForm(forms.Form):
    subject = forms.CharField(label="What saved the time", max_length=80)
    story = forms.CharField(label="The story", max_length=services.MAX_STORY, required=False)

    def clean_subject(self) -> tuple[str, str]:
        """``(kind, public_id)``: kind is a run, a workflow or a capture."""
        return _pick(
            self.cleaned_data["subject"], SUBJECT_KINDS, "Choose a run, workflow or capture."
        )


class AskForm(forms.Form):
    text = forms.CharField(label="What are you looking for", max_length=services.MAX_ASK)
    anonymous = forms.BooleanField(required=False)


class AnswerForm(forms.Form):
    link = forms.CharField(label="Link", max_length=80, required=False)
    text = forms.CharField(label="Answer", max_length=services.MAX_ANSWER, required=False)

    def clean_link(self) -> tuple[str, str]:
        """``(kind, public_id)``, kind a workflow or a capture; ``("", "")`` for none."""
        return _pick(self.cleaned_data["link"], SUBJECT_KINDS[1:], "Choose a workflow or capture.")


class DigestForm(forms.Form):
    """Save the edited draft, or draft it again from the week's data."""

    action = forms.ChoiceField(
        choices=[("save", "Save draft"), ("redraft", "Draft again from data")], required=False
    )
    # Not stripped: Markdown's spacing is the author's.
    markdown = forms.CharField(max_length=MAX_MARKDOWN, required=False, strip=False)

    def clean(self) -> dict[str, Any]:
        values = super().clean()
        values["action"] = values.get("action") or "save"
        if values["action"] == "redraft":
            self.errors.pop("markdown", None)  # drafting again replaces the text typed
        elif self.data.get("markdown") is None:
            self.add_error("markdown", "Write the digest (or draft it again from the data).")
        return values


WEEKDAY_CHOICES = list(enumerate(WEEKDAYS))


def _weekday(label: str) -> forms.Field:
    return forms.TypedChoiceField(label=label, choices=WEEKDAY_CHOICES, coerce=int)


class ScheduleForm(forms.Form):
    """The ritual settings page; unbound, it shows the stored settings."""

    enabled = forms.BooleanField(required=False)
    timezone = forms.CharField(label="Time zone", max_length=64, required=False)
    draft_weekday = _weekday("Draft on")
    draft_time = forms.TimeField(label="Draft time", required=False)
    send_weekday = _weekday("Send on")
    send_time = forms.TimeField(label="Send time", required=False)
    recipients = forms.ChoiceField(label="Email it to", choices=Recipients.choices)
    email_enabled = forms.BooleanField(required=False)
    slack_url = forms.CharField(max_length=2000, required=False)
    teams_url = forms.CharField(max_length=2000, required=False)
    clear_slack = forms.BooleanField(required=False)
    clear_teams = forms.BooleanField(required=False)
    allowed_private_host = forms.CharField(max_length=255, required=False)

    def __init__(self, *args: Any, current: RitualSettings, **kwargs: Any) -> None:
        initial = {
            name: getattr(current, name)
            for name in ("enabled", "timezone", "draft_weekday", "send_weekday", "recipients",
                         "email_enabled", "allowed_private_host")
        }  # fmt: skip
        for name in ("draft_time", "send_time"):
            initial[name] = getattr(current, name).strftime("%H:%M")
        super().__init__(*args, initial=initial, **kwargs)
        self.current = current
        for name in ("draft_time", "send_time"):
            self.fields[name].error_messages["invalid"] = "Use a time like 09:00."

    def schedule(self) -> ScheduleFields:
        """The cleaned schedule; a blank time keeps the stored one, a blank zone is UTC."""
        values = self.cleaned_data
        return ScheduleFields(
            enabled=values["enabled"],
            timezone=values["timezone"] or "UTC",
            draft_weekday=values["draft_weekday"],
            draft_time=values["draft_time"] or self.current.draft_time,
            send_weekday=values["send_weekday"],
            send_time=values["send_time"] or self.current.send_time,
            recipients=values["recipients"],
            email_enabled=values["email_enabled"],
            allowed_private_host=values["allowed_private_host"],
        )

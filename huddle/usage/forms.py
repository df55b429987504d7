"""The usage report upload form (the file itself is checked by ``services.upload_queue``)."""

from __future__ import annotations

from django import forms

from huddle.usage.models import ReportSource


class UploadForm(forms.Form):
    source = forms.ChoiceField(choices=ReportSource.choices, initial=ReportSource.CHATGPT)
    create_members = forms.BooleanField(required=False)

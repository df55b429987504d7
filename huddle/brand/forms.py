"""The brand check's form: what to check and against which workflow and channel.

The service checks what the values mean (the text's length, a channel it knows, a workflow the
person can see); the form checks their shape.
"""

from __future__ import annotations

from django import forms


class BrandCheckForm(forms.Form):
    """``text`` from the page, or ``final_text`` from the run flow's live check; ``compact``
    (a hidden ``1``) asks for the run flow's short report."""

    # Typed text is checked as typed: spaces at its edges are part of it.
    text = forms.CharField(required=False, strip=False, label="Your text")
    final_text = forms.CharField(required=False, strip=False, label="Final text")
    workflow = forms.CharField(required=False, max_length=80, label="Workflow")
    channel = forms.CharField(required=False, max_length=100, label="Channel")
    judge = forms.BooleanField(required=False)
    compact = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def checked_text(self) -> str:
        """The text to check, whichever of the two fields it came in."""
        return self.cleaned_data.get("text") or self.cleaned_data.get("final_text") or ""

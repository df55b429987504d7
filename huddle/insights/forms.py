"""The insights pages' forms: two switches."""

from __future__ import annotations

from django import forms


class AggregateOnlyForm(forms.Form):
    """Admins: show the organisation's insights as aggregates only."""

    aggregate_only = forms.BooleanField(required=False)


class SpotlightForm(forms.Form):
    """A member: may the digest spotlight me?"""

    allowed = forms.BooleanField(required=False)

"""Reading a posted form on a page that answers with a redirect (a button's action)."""

from __future__ import annotations

from typing import Any

from django import forms

from huddle.core.errors import HuddleError, ValidationFailed


def cleaned(form: forms.Form, message: str) -> dict[str, Any]:
    """The form's cleaned data; for bad input, ``ValidationFailed`` with ``message`` and each
    field's problem ("Choose a version to approve. Version: Enter a whole number."), which the
    page the form came from shows. Nothing is written before a form is clean."""
    if form.is_valid():
        return form.cleaned_data
    fields = {
        name: [str(problem) for problem in problems] for name, problems in form.errors.items()
    }
    details = " ".join(
        f"{form.fields[name].label or name.replace('_', ' ').capitalize()}: {' '.join(problems)}"
        if name in form.fields
        else " ".join(problems)
        for name, problems in fields.items()
    )
    raise ValidationFailed(f"{message} {details}", fields=fields)


def errors_onto(form: forms.Form, error: HuddleError) -> None:
    """Put a service's refusal on the form of a page that re-renders: on each field it names
    that the form has, or on the form as a whole."""
    placed = False
    for field, problems in error.fields.items():
        if field in form.fields:
            for problem in problems:
                form.add_error(field, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)

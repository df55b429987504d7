"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html_join

from huddle.core.numbers import hours_text

register = template.Library()


@register.filter
def hours(minutes: Any) -> str:
    """``{{ 17955|hours }}`` → "299 hours"; under 90 minutes, minutes (``core.numbers``)."""
    try:
        return hours_text(float(minutes))
    except (TypeError, ValueError):
        return "—"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ labels|get_item:v.number }}``: a mapping's value, or an empty list."""
    try:
        return mapping.get(key, [])
    except AttributeError:
        return []


@register.filter
def absolute(value: Any) -> Any:
    """``{{ -42|absolute }}`` → 42."""
    try:
        return abs(value)
    except TypeError:
        return value


@register.filter
def humanize_key(value: Any) -> str:
    """``power_user`` → ``Power user``."""
    return str(value).replace("_", " ").capitalize()


@register.simple_tag
def options(choices: Iterable[Any], selected: Any = "") -> str:
    """``{% options kinds filters.kind %}``: the ``<option>``s of a select, ``selected`` marked.

    ``choices`` holds ``(value, label)`` pairs or plain strings (value and label alike). One
    tag instead of a ``{% for %}`` with an ``{% if %}`` per option: a filter bar's selects
    were a quarter of the library page's template time (docs/performance.md).
    """
    selected = "" if selected is None else str(selected)
    rows = []
    for choice in choices:
        value, label = choice if isinstance(choice, tuple | list) else (choice, choice)
        mark = " selected" if str(value) == selected else ""
        rows.append((value, mark, label))
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)

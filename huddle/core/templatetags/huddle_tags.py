"""Small template helpers shared by every app's pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


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

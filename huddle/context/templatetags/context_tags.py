from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from huddle.context.markup import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Sanitised HTML of a Markdown text."""
    return render_markdown(text)


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.2f}%"


@register.filter
def figure(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key) if isinstance(mapping, dict) else None

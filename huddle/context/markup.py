"""Markdown to safe HTML for pages: markdown-it-py (raw HTML off) then nh3's allow-list."""

from __future__ import annotations

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str) -> SafeString:
    """HTML for ``text`` with no script, handler or ``javascript:`` link surviving."""
    html = _md.render(text or "")
    return mark_safe(  # noqa: S308 - nh3 has just removed everything unsafe
        nh3.clean(html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    )

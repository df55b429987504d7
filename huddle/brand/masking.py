"""Markdown-aware masking: what the checker must not read is replaced by spaces.

Fenced code blocks (``` and ~~~), inline code, autolinks (``<https://…>``), link and image
targets (``](…)``), reference definitions (``[id]: url``), bare URLs (``https://…``,
``www.…``), e-mail addresses and HTML tags are blanked out character for character, keeping
newlines, so every offset and line number of a finding is the same in the original text.
Link *texts* stay: ``[synergy](https://…)`` is prose the reader sees. Indented code blocks are
not masked (an indented list item looks the same); fence code to exclude it.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.M | re.S)
_INLINE_CODE = re.compile(r"(`+)(?!`)(?:(?!\n\s*\n).)+?(?<!`)\1(?!`)", re.S)
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")
_LINK_TARGET = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)")
_REFERENCE = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.M)
_URL = re.compile(r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]*://|\bwww\.)[^\s<>\"'`]*[^\s<>\"'`.,;:!?)\]]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HTML_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?/?>")
_IMAGE_BANG = re.compile(r"!(?=\[)")

_PATTERNS = (_FENCE, _INLINE_CODE, _AUTOLINK, _LINK_TARGET, _REFERENCE, _URL, _EMAIL, _HTML_TAG)


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def mask(text: str) -> str:
    """``text`` with code, URLs, link targets and tags replaced by spaces (same length)."""
    for pattern in _PATTERNS:
        text = pattern.sub(_blank, text)
    return _IMAGE_BANG.sub(" ", text)

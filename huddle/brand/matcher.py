"""One compiled regular expression for every term of a ruleset: a trie turned into a pattern.

A plain alternation of 2,000 terms makes the regex engine try each term at each word start; a
trie shares prefixes (``synerg(?:y|ies)``), so a word start that matches no term is rejected
after a character or two. The pattern is case-insensitive and Unicode aware, and it bounds every
term with ``(?<!\\w)`` and ``(?!\\w)`` — so accented letters are letters ("résumé" contains no
"sum") and an emoji or a hyphen is a boundary.

**Hyphens and spaces are the same separator**: a run of whitespace or hyphens in a term matches
a run of whitespace or hyphens in the text, so the banned "best in class" also finds
"best-in-class", and the banned "synergy" is found in "synergy-driven" — a compound still says
the word. Each term is added in its NFC and NFD forms, so decomposed accents match too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2013]+")
_SEPARATOR_RE = r"[\s\-\u2010-\u2013]+"
_SEP = " "  # the trie's unit for a run of separators
_END = ""  # the trie's end-of-term marker


def term_key(text: str) -> str:
    """The form terms and matches are compared in: NFC, lower case, one space per separator."""
    return _SEPARATORS.sub(" ", unicodedata.normalize("NFC", text).strip()).lower()


@dataclass(frozen=True)
class Entry:
    """One term to find: ``rule`` says why, ``suggestion`` what to write instead."""

    text: str
    rule: str
    suggestion: str = ""


def _units(text: str) -> list[str]:
    units: list[str] = []
    for char in text:
        if _SEPARATORS.fullmatch(char):
            if units and units[-1] != _SEP:
                units.append(_SEP)
        else:
            units.append(char)
    return units


def _insert(trie: dict, units: list[str]) -> None:
    node = trie
    for unit in units:
        node = node.setdefault(unit, {})
    node[_END] = {}


def _pattern(node: dict) -> str:
    branches = [
        (_SEPARATOR_RE if unit == _SEP else re.escape(unit)) + _pattern(child)
        for unit, child in sorted(node.items())
        if unit != _END
    ]
    if not branches:
        return ""
    optional = _END in node
    if len(branches) == 1 and not optional:
        return branches[0]
    # Greedy "?": the longest term wins, a shorter one is tried when the longer fails.
    return "(?:" + "|".join(branches) + ")" + ("?" if optional else "")


class Matcher:
    """Finds the terms of ``entries`` in a text; the first entry of a key wins."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, Entry] = {}
        trie: dict = {}
        for entry in entries:
            key = term_key(entry.text)
            if not key or key in self.entries:
                continue
            self.entries[key] = entry
            for form in {unicodedata.normalize(f, entry.text.strip()) for f in ("NFC", "NFD")}:
                _insert(trie, _units(form.lower()))
        body = _pattern(trie)
        self.regex = re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE) if body else None

    def finditer(self, text: str) -> Iterator[tuple[re.Match[str], Entry]]:
        if self.regex is None:
            return
        for match in self.regex.finditer(text):
            entry = self.entries.get(term_key(match.group()))
            if entry is not None:
                yield match, entry

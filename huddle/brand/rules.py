"""Build a ``Ruleset`` from the organisation's context, with the rights of the person checking.

Sources: every glossary and brand guide the actor can see (``context.queries.assets``, so
``policy.visible_q`` decides) that has an approved version and is not archived; the approved
version's data is what counts, never a pending draft.

**Glossaries** (``{"terms": [{"term", "kind", "replacement"}]}``): ``banned`` terms become the
blocking ``banned`` rule with their replacement as the suggestion; ``product`` terms the exact
spelling check; a ``preferred`` term with a replacement ("customers", not "clients") flags the
replaced words (comma- or slash-separated) and suggests the preferred term.

**Brand guides**: the "do" and "don't" lines are free text. A line is mapped to a check by
keywords (case-insensitive); a line that matches nothing is listed as not checked
(``Ruleset.ignored``), e.g. "Avoid jargon" — jargon can't be recognised by a rule.

======================================================  ======================================
line (do or don't)                                      check
======================================================  ======================================
don't + "exclamation"                                   exclamation
don't + "emoji" / "emoticon"                            emoji
don't + "hashtag"                                       hashtags
don't + "superlative" / "hype"                          superlatives
don't + "first person" / "'we'" / "we/our"              first_person
don't + "second person" / "'you'"                       second_person
don't + a parenthesised list "(synergy, leverage)"      avoid: each listed word
"British" / "UK spelling" / "UK English"                spelling uk (US → UK word list)
"American" / "US spelling" / "US English"               spelling us
"sentence" + a number + "words"                         max_sentence_words = the number
"grade" + a number                                      max_grade = the number
"reading ease" / "Flesch" + a number                    min_reading_ease = the number
a channel name + a number + "characters"/"chars"        that channel's maximum length
======================================================  ======================================

A line may also opt in explicitly, whatever its wording: ``check: exclamation``, ``check:
emoji``, ``check: superlatives``, ``check: first_person``, ``check: second_person``, ``check:
british``, ``check: american``, ``check: sentence_words 20``, ``check: grade 8``, ``check:
reading_ease 60``, ``check: channel linkedin 1300``.

**A workflow's negative constraints** (``WorkflowVersion.negative_constraints``, one "don't" per
line) are rules too when a check names the workflow (``with_constraints``): each line maps as a
guide's "don't" line, and words it quotes (``Never say 'game-changer' or 'revolutionary'``)
become words to avoid. Every mapped rule remembers the line it came from (``Ruleset.origins``),
so a finding says "workflow “LinkedIn post”: “No emojis”" rather than just "emoji".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from huddle.accounts.policy import Actor
from huddle.brand import lexicon
from huddle.brand.checker import Ruleset, Term
from huddle.context import queries as context_queries
from huddle.context.models import Kind


@dataclass
class _Draft:
    terms: list[Term] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    mapped: list[tuple[str, str]] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)


_NUMBER = re.compile(r"\b(\d{1,5}(?:\.\d+)?)\b")
_PARENTHESISED = re.compile(r"\(([^()]+)\)")
_EXPLICIT = re.compile(r"^check:\s*([a-z_]+)\s*(.*)$", re.I)
_QUOTE = "['\"\u2018\u2019\u201c\u201d]"
_FIRST_PERSON = re.compile(rf"first[- ]person|{_QUOTE}we{_QUOTE}|\bwe/our\b|\bwe or our\b", re.I)
_SECOND_PERSON = re.compile(rf"second[- ]person|{_QUOTE}you{_QUOTE}", re.I)
_CHANNEL_NAMES = sorted(
    {**{c.replace("_", " "): c for c in lexicon.CHANNEL_LIMITS}, **lexicon.CHANNEL_ALIASES}.items(),
    key=lambda item: -len(item[0]),
)


def _number(line: str) -> float | None:
    found = _NUMBER.search(line)
    return float(found.group(1)) if found else None


def _channel(line: str) -> str | None:
    lowered = line.lower()
    for name, channel in _CHANNEL_NAMES:
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", lowered):
            return channel
    return None


def _explicit(draft: _Draft, name: str, arg: str) -> str | None:
    """``check: <name> <arg>`` lines; returns what was mapped, or None when unknown."""
    name = name.lower()
    simple = {"exclamation", "emoji", "superlatives", "first_person", "second_person"}
    if name in simple:
        draft.flags[name] = True
        return name
    if name in {"british", "american"}:
        draft.flags["spelling"] = "uk" if name == "british" else "us"
        return f"spelling {draft.flags['spelling']}"
    number = _number(arg)
    if name == "channel":
        parts = arg.split()
        if len(parts) == 2 and parts[1].isdigit():
            draft.channels[parts[0].lower()] = int(parts[1])
            return f"max_length {parts[0].lower()} {parts[1]}"
        return None
    keys = {"sentence_words": "max_sentence_words", "grade": "max_grade",
            "reading_ease": "min_reading_ease"}  # fmt: skip
    if name in keys and number is not None:
        draft.flags[keys[name]] = int(number) if name == "sentence_words" else number
        return f"{keys[name]} {number:g}"
    return None


def _map_line(draft: _Draft, line: str, *, dont: bool, source: str = "brand guide") -> str | None:
    """Map one guide line to a check (see the module docstring); None when not checkable."""
    explicit = _EXPLICIT.match(line.strip())
    if explicit:
        return _explicit(draft, explicit.group(1), explicit.group(2))
    lowered = line.lower()
    number = _number(line)
    if dont and "exclamation" in lowered:
        draft.flags["exclamation"] = True
        return "exclamation"
    if dont and ("emoji" in lowered or "emoticon" in lowered):
        draft.flags["emoji"] = True
        return "emoji"
    if dont and "hashtag" in lowered:
        draft.flags["hashtags"] = True
        return "hashtags"
    if dont and ("superlative" in lowered or "hype" in lowered):
        draft.flags["superlatives"] = True
        return "superlatives"
    if dont and _FIRST_PERSON.search(line):
        draft.flags["first_person"] = True
        return "first_person"
    if dont and _SECOND_PERSON.search(line):
        draft.flags["second_person"] = True
        return "second_person"
    if re.search(r"\bbritish\b|\buk (?:spelling|english)\b", lowered):
        draft.flags["spelling"] = "uk"
        return "spelling uk"
    if re.search(r"\bamerican\b|\bus (?:spelling|english)\b", lowered):
        draft.flags["spelling"] = "us"
        return "spelling us"
    if "sentence" in lowered and "word" in lowered and number:
        draft.flags["max_sentence_words"] = int(number)
        return f"max_sentence_words {int(number)}"
    if ("reading ease" in lowered or "flesch" in lowered) and number:
        draft.flags["min_reading_ease"] = number
        return f"min_reading_ease {number:g}"
    if "grade" in lowered and number:
        draft.flags["max_grade"] = number
        return f"max_grade {number:g}"
    channel = _channel(line)
    if channel and number and re.search(r"\bchar(?:acter)?s?\b", lowered):
        draft.channels[channel] = int(number)
        return f"max_length {channel} {int(number)}"
    listed = _PARENTHESISED.search(line)
    if dont and listed:
        words = [
            w.strip(" '\"\u2018\u2019\u201c\u201d") for w in re.split(r"[,;/]", listed.group(1))
        ]
        words = [w for w in words if w and not w.lower().startswith(("e.g", "eg "))]
        draft.terms += [Term(w, "avoid", "", source) for w in words]
        return "avoid " + ", ".join(words)
    return None


def _add_glossary(draft: _Draft, slug: str, data: dict[str, Any]) -> None:
    for row in data.get("terms") or []:
        term, kind = row.get("term", ""), row.get("kind", "")
        replacement = row.get("replacement", "")
        if kind == "banned":
            draft.terms.append(Term(term, "banned", replacement, slug))
        elif kind == "product":
            draft.terms.append(Term(term, "product", term, slug))
        elif kind == "preferred" and replacement:
            for word in re.split(r"[,/]", replacement):
                if word.strip():
                    draft.terms.append(Term(word.strip(), "preferred", term, slug))


# What a mapped check is called on a finding: "superlatives" → the "superlative" rule.
_RULE_OF_CHECK = {
    "superlatives": "superlative",
    "hashtags": "hashtag",
    "spelling uk": "spelling_uk",
    "spelling us": "spelling_us",
    "max_sentence_words": "sentence_length",
    "min_reading_ease": "reading_level",
    "max_grade": "reading_level",
    "max_length": "max_length",
}


def _remember(draft: _Draft, check: str, origin: str) -> None:
    """Note where the rule of ``check`` comes from (the first line that asked for it wins)."""
    name = check.split(";")[0]
    for prefix, rule in _RULE_OF_CHECK.items():
        if name.startswith(prefix):
            draft.origins.setdefault(rule, origin)
            return
    if name in {"exclamation", "emoji", "first_person", "second_person"}:
        draft.origins.setdefault(name, origin)


def _add_brand(draft: _Draft, slug: str, data: dict[str, Any]) -> None:
    for key, dont in (("do", False), ("dont", True)):
        for line in data.get(key) or []:
            origin = f"brand guide {slug}: “{line.strip()}”"
            check = _map_line(draft, line, dont=dont, source=origin)
            if check is None:
                draft.ignored.append(f"{slug}: {"Don't" if dont else 'Do'}: {line}")
            else:
                draft.mapped.append((line, check))
                _remember(draft, check, origin)


def ruleset_from_data(assets: list[tuple[str, str, int, dict[str, Any]]]) -> Ruleset:
    """A ruleset from ``(slug, kind, version number, data)`` rows (glossary or brand)."""
    draft = _Draft()
    for slug, kind, number, data in assets:
        draft.sources.append(f"{slug} v{number}")
        if kind == Kind.GLOSSARY:
            _add_glossary(draft, slug, data)
        elif kind == Kind.BRAND:
            _add_brand(draft, slug, data)
    return Ruleset(
        terms=tuple(draft.terms),
        channel_limits=tuple(sorted(draft.channels.items())),
        sources=tuple(draft.sources),
        ignored=tuple(draft.ignored),
        mapped=tuple(draft.mapped),
        origins=tuple(sorted(draft.origins.items())),
        **draft.flags,
    )


def ruleset_for(actor: Actor) -> Ruleset:
    """The rules of the glossaries and brand guides ``actor`` can see (approved, not archived).

    One query: the approved versions come with the assets.
    """
    assets = (
        context_queries.assets(actor)
        .filter(kind__in=(Kind.GLOSSARY, Kind.BRAND), approved_version__isnull=False)
        .order_by("slug")
    )
    return ruleset_from_data(
        [(a.slug, a.kind, a.approved_version.number, a.approved_version.data) for a in assets]
    )


# A word or phrase in quotes; an apostrophe inside a word ("can't") never opens one.
_QUOTED = re.compile(
    r"(?<!\w)['\"\u2018\u201c]([^'\"\u2018\u2019\u201c\u201d\n]{1,60}?)['\"\u2019\u201d](?!\w)"
)
_PRONOUN_CHECKS = {"first_person", "second_person"}


def with_constraints(ruleset: Ruleset, *, workflow: str, constraints: str) -> Ruleset:
    """``ruleset`` plus the "don't" lines of a workflow (its negative constraints).

    Each line maps as a brand guide's "don't" line; the words it quotes become words to avoid
    (unless the line was about a pronoun: "Don't say 'we'"). Lines that map to nothing are
    listed in ``ignored`` as ``workflow “Title”: line``.
    """
    draft = _Draft()
    for raw in constraints.splitlines():
        line = raw.strip(" \t-*•")
        if not line:
            continue
        origin = f"workflow “{workflow}”: “{line}”"
        check = _map_line(draft, line, dont=True, source=origin)
        if check not in _PRONOUN_CHECKS and not (check or "").startswith("avoid"):
            words = [w.strip() for w in _QUOTED.findall(line) if w.strip()]
            if words:
                draft.terms += [Term(w, "avoid", "", origin) for w in words]
                check = "; ".join(filter(None, [check, "avoid " + ", ".join(words)]))
        if check is None:
            draft.ignored.append(f"workflow “{workflow}”: {line}")
        else:
            draft.mapped.append((line, check))
            _remember(draft, check, origin)
    if not draft.mapped and not draft.ignored:
        return ruleset
    flags = {k: v for k, v in draft.flags.items() if not getattr(ruleset, k)}
    return replace(
        ruleset,
        terms=ruleset.terms + tuple(draft.terms),
        channel_limits=tuple(sorted({**dict(ruleset.channel_limits), **draft.channels}.items())),
        sources=(*ruleset.sources, f"workflow “{workflow}”"),
        ignored=ruleset.ignored + tuple(draft.ignored),
        mapped=ruleset.mapped + tuple(draft.mapped),
        origins=tuple(sorted({**draft.origins, **dict(ruleset.origins)}.items())),
        **flags,
    )

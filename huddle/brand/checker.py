"""The brand checker: pure and deterministic, no database. ``check(text, ruleset)`` → ``Report``.

**Findings** carry ``start``/``end`` (offsets in ``text``, in code points; ``None`` for a finding
about the whole text), ``line`` (1-based; ``None`` likewise), ``rule``, ``severity``
(``blocking`` | ``warning`` | ``info``), ``message``, ``suggestion`` and ``match`` (the text
found). Code, URLs, link targets and HTML tags are never read (``masking``).

Rules:

=================  ========  ===============================================================
rule               severity  what
=================  ========  ===============================================================
banned             blocking  a glossary's banned term; suggestion: its replacement
product            warning   a product name spelled otherwise than the glossary's exact form
preferred          warning   the word a preferred term replaces ("customers (not clients)")
avoid              warning   a word a brand guide's "don't" line lists in parentheses
superlative        warning   built-in superlatives ("best-in-class", "world-class" …)
first_person       warning   I / we / our … (when the guide asks for no first person)
second_person      warning   you / your … (when the guide asks for no second person)
spelling_uk / _us  warning   American spelling in British copy, or the other way round
exclamation        warning   each run of "!"
emoji              warning   each emoji (with its modifiers and joiners)
hashtag            warning   each #hashtag (when a guide or the workflow says no hashtags)
sentence_length    info      a sentence longer than the guide's maximum number of words
reading_level      info      Flesch reading ease below / Flesch-Kincaid grade above the guide's
max_length         warning   longer than the channel allows (the overflow is the span)
required           warning   a required element of the workflow is missing (see below)
required_unknown   info      a required element this checker does not know
=================  ========  ===============================================================

Only ``banned`` blocks: ``Report.blocking`` is what a pipeline fails on.

Each finding's ``source`` says which rule of whose it comes from: the glossary's slug, the brand
guide line (``brand guide voice: “No exclamation marks”``), the chosen workflow's negative
constraint (``workflow “LinkedIn post”: “No emojis”``), its required elements, the channel's
limit, or ``built-in`` (``Ruleset.origins`` carries these; they never change the score).

**Required elements** (``WorkflowVersion.required_elements``): ``cta`` (a call to action such
as "book a demo", "sign up", "learn more"), ``question_end`` (the text ends with a question),
``question`` (asks one somewhere), ``link`` (a URL or Markdown link), ``hashtag``, ``mention``
(``@name``), ``max_words:N``, ``min_words:N``, ``max_chars:N``.

**Reading level** uses Flesch reading ease ``206.835 - 1.015 * words/sentences -
84.6 * syllables/words`` and the Flesch-Kincaid grade ``0.39 * words/sentences +
11.8 * syllables/words - 15.59`` with a vowel-group syllable count; texts under 30 words are not
graded. Sentences end at ``. ! ?`` followed by a space, and at line breaks.

**Score** (0 to 100)::

    scale   = max(1, words / 250)                     # length normalisation
    penalty(f) = 20 if blocking else (5 if warning else 1) / scale
    per group = min(40, Σ penalty)                    # group: rule + the term found
    score   = max(0, 100 - round(Σ groups))

So one banned term costs 20 points whatever the length; three exclamation marks cost 15 points
in a 100-word post but under 4 in a 1,000-word article; repeating one word can cost at most 40.
Examples (tested): a clean text scores 100; one banned term 80; one banned term and three "!"
in 100 words 65; the same in 1,000 words 76; "synergy" five times 60.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, Literal

from huddle.brand import lexicon
from huddle.brand.masking import mask
from huddle.brand.matcher import Entry, Matcher

Severity = Literal["blocking", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("blocking", "warning", "info")
WEIGHTS: dict[str, float] = {"blocking": 20, "warning": 5, "info": 1}
GROUP_CAP = 40
NORMAL_WORDS = 250
MIN_GRADED_WORDS = 30
REQUIRED_ELEMENTS = (
    "cta",
    "question_end",
    "question",
    "link",
    "hashtag",
    "mention",
    "max_words:N",
    "min_words:N",
    "max_chars:N",
)
LEXICAL_RULES = {"banned", "product", "preferred", "avoid", "superlative", "spelling_uk",
                 "spelling_us", "first_person", "second_person"}  # fmt: skip

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")
_EXCLAMATION = re.compile(r"!+")
_MODIFIERS = r"(?:\uFE0F|[\U0001F3FB-\U0001F3FF]|\u20E3)*"
_PICTOGRAPH = r"[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u231A\u231B\u23E9-\u23FA]"
_EMOJI = re.compile(
    rf"[\U0001F1E6-\U0001F1FF]{{2}}|{_PICTOGRAPH}{_MODIFIERS}(?:\u200D{_PICTOGRAPH}{_MODIFIERS})*"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_HASHTAG = re.compile(r"(?<![\w#&])#[^\W\d_]\w*")
_MENTION = re.compile(r"(?<![\w@])@\w{2,}")
_LINK = re.compile(r"https?://|www\.|\]\([^)\s]+")
_CTA = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(p) for p in lexicon.CTA_PHRASES) + r")(?!\w)", re.I
)
_TRAILING = re.compile(rf"(?:\s|[\"'\u201d\u2019\u00bb)*_\]]|{_EMOJI.pattern})+\Z")


@dataclass(frozen=True)
class Finding:
    start: int | None
    end: int | None
    line: int | None
    rule: str
    severity: Severity
    message: str
    suggestion: str = ""
    match: str = ""
    source: str = ""  # the rule's origin, for people: "workflow “X”: “No emojis”"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Term:
    """A glossary or guide term: ``rule`` is banned | product | preferred | avoid."""

    text: str
    rule: str
    suggestion: str = ""
    source: str = ""


@dataclass(frozen=True)
class Ruleset:
    """What to check, built from context (``rules.ruleset_for``) or by hand in tests."""

    terms: tuple[Term, ...] = ()
    exclamation: bool = False
    emoji: bool = False
    hashtags: bool = False
    superlatives: bool = False
    first_person: bool = False
    second_person: bool = False
    spelling: Literal["uk", "us", ""] = ""
    max_sentence_words: int | None = None
    max_grade: float | None = None
    min_reading_ease: float | None = None
    channel_limits: tuple[tuple[str, int], ...] = ()  # overrides of lexicon.CHANNEL_LIMITS
    sources: tuple[str, ...] = ()  # "glossary v3", for people
    ignored: tuple[str, ...] = ()  # guide lines that can't be checked automatically
    mapped: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # (line, check)
    # (finding rule, where it comes from): "emoji" → "workflow “LinkedIn post”: “No emojis”"
    origins: tuple[tuple[str, str], ...] = field(default=(), compare=False)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the rules (not the sources): equal rules, equal fingerprint."""
        data = asdict(self)
        for key in ("sources", "ignored", "mapped", "origins"):
            data.pop(key)
        raw = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    @cached_property
    def matcher(self) -> Matcher:
        """The compiled terms; built once per ruleset (and shared by equal rulesets)."""
        return _matcher(self._entries())

    def _entries(self) -> tuple[Entry, ...]:
        entries = [Entry(t.text, t.rule, t.suggestion) for t in self.terms]
        if self.superlatives:
            entries += [Entry(w, "superlative") for w in lexicon.SUPERLATIVES]
        if self.spelling:
            words = lexicon.US_TO_UK if self.spelling == "uk" else lexicon.UK_TO_US
            entries += [Entry(w, f"spelling_{self.spelling}", s) for w, s in words.items()]
        if self.first_person:
            entries += [Entry(w, "first_person") for w in lexicon.FIRST_PERSON]
        if self.second_person:
            entries += [Entry(w, "second_person") for w in lexicon.SECOND_PERSON]
        # Banned first: when a word is on two lists, the stricter one decides.
        order = {"banned": 0, "product": 1}
        return tuple(sorted(entries, key=lambda e: order.get(e.rule, 2)))

    def channels(self) -> dict[str, int]:
        return {**lexicon.CHANNEL_LIMITS, **dict(self.channel_limits)}


@lru_cache(maxsize=32)
def _matcher(entries: tuple[Entry, ...]) -> Matcher:
    return Matcher(entries)


@dataclass(frozen=True)
class Report:
    findings: tuple[Finding, ...]
    score: int
    words: int
    reading_ease: float | None = None
    grade: float | None = None

    @property
    def blocking(self) -> bool:
        return any(f.severity == "blocking" for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITIES}

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "blocking": self.blocking,
            "words": self.words,
            "reading_ease": self.reading_ease,
            "grade": self.grade,
            "findings": [f.as_dict() for f in self.findings],
        }


def score(findings: Iterable[Finding], words: int) -> int:
    """The on-brand score of the module docstring."""
    scale = max(1.0, words / NORMAL_WORDS)
    groups: dict[tuple[str, str], float] = defaultdict(float)
    for finding in findings:
        weight = WEIGHTS[finding.severity]
        if finding.severity != "blocking":
            weight /= scale
        term = finding.match.lower() if finding.rule in LEXICAL_RULES else ""
        groups[(finding.rule, term)] += weight
    penalty = sum(min(GROUP_CAP, value) for value in groups.values())
    return max(0, 100 - math.floor(penalty + 0.5))


class _Text:
    """The text, its masked twin and what several rules share (lines, sentences, words)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.masked = mask(text)
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self._line_starts, offset)

    @cached_property
    def words(self) -> list[str]:
        return _WORD.findall(self.masked)

    @cached_property
    def sentences(self) -> list[tuple[int, int, str]]:
        found = []
        for line in re.finditer(r"[^\n]+", self.masked):
            base = line.start()
            cursor = 0
            for piece in [*_SENTENCE_END.finditer(line.group()), None]:
                stop = piece.start() if piece else len(line.group())
                chunk = line.group()[cursor:stop]
                if _WORD.search(chunk):
                    found.append((base + cursor, base + stop, chunk))
                cursor = piece.end() if piece else stop
        return found

    def finding(self, start: int, end: int, rule: str, severity: Severity, message: str,
                suggestion: str = "", source: str = "") -> Finding:  # fmt: skip
        return Finding(
            start, end, self.line(start), rule, severity, message, suggestion,
            self.text[start:end], source,
        )  # fmt: skip


def _match_case(found: str, suggestion: str) -> str:
    if not suggestion or not found:
        return suggestion
    if found.isupper() and len(found) > 1:
        return suggestion.upper()
    if found[0].isupper():
        return suggestion[0].upper() + suggestion[1:]
    return suggestion


_LEXICAL_MESSAGES = {
    "banned": "“{m}” is on the banned list ({s}).",
    "preferred": "Say “{g}” rather than “{m}”.",
    "avoid": "Avoid “{m}” ({s}).",
    "superlative": "“{m}” is a superlative; show the proof instead.",
    "spelling_uk": "American spelling; the brand writes British English.",
    "spelling_us": "British spelling; the brand writes American English.",
    "first_person": "The brand guide asks for no first person (“{m}”).",
    "second_person": "The brand guide asks for no second person (“{m}”).",
}


def _term_origin(rule: str, source: str) -> str:
    """A glossary term's source is the glossary's slug; a word to avoid carries its line."""
    if rule in {"banned", "product", "preferred"}:
        return f"glossary {source}" if source else "glossary"
    return source if rule == "avoid" else ""


def _lexical(doc: _Text, ruleset: Ruleset) -> list[Finding]:
    findings = []
    sources = {t.text.lower(): t.source for t in ruleset.terms}
    for match, entry in ruleset.matcher.finditer(doc.masked):
        found = match.group()
        if entry.rule == "product":
            if " ".join(found.split()) == entry.text:
                continue
            findings.append(
                doc.finding(match.start(), match.end(), "product", "warning",
                            f"Product name: write it exactly “{entry.text}”.", entry.text,
                            _term_origin("product", sources.get(entry.text.lower(), "")))
            )  # fmt: skip
            continue
        if entry.rule in {"first_person", "second_person"} and found in {"US", "i"}:
            continue  # the country, and the "i" of "i.e.": the pronouns are "us" and "I"
        suggestion = _match_case(found, entry.suggestion)
        message = _LEXICAL_MESSAGES[entry.rule].format(
            m=found, g=suggestion, s=sources.get(entry.text.lower()) or "glossary"
        )
        severity: Severity = "blocking" if entry.rule == "banned" else "warning"
        findings.append(
            doc.finding(match.start(), match.end(), entry.rule, severity, message, suggestion,
                        _term_origin(entry.rule, sources.get(entry.text.lower(), "")))
        )  # fmt: skip
    return findings


def _style(doc: _Text, ruleset: Ruleset) -> list[Finding]:
    findings = []
    marks = (
        (ruleset.exclamation, _EXCLAMATION, "exclamation", "exclamation marks", "."),
        (ruleset.emoji, _EMOJI, "emoji", "emoji", ""),
        (ruleset.hashtags, _HASHTAG, "hashtag", "hashtags", ""),
    )
    for wanted, pattern, rule, what, suggestion in marks:
        if wanted:
            findings += [
                doc.finding(m.start(), m.end(), rule, "warning",
                            f"No {what}.", suggestion)
                for m in pattern.finditer(doc.masked)
            ]  # fmt: skip
    if ruleset.max_sentence_words:
        limit = ruleset.max_sentence_words
        for start, end, chunk in doc.sentences:
            count = len(_WORD.findall(chunk))
            if count > limit:
                findings.append(
                    doc.finding(start, end, "sentence_length", "info",
                                f"{count} words; keep sentences under {limit}.",
                                "Split this sentence.")
                )  # fmt: skip
    return findings


_SILENT_END = re.compile(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$|^y")
_VOWEL_GROUP = re.compile(r"[aeiouy]{1,2}")


@lru_cache(maxsize=8192)
def _syllables(word: str) -> int:
    """A vowel-group estimate: good enough to rank texts, cached because words repeat."""
    word = word.lower()
    if len(word) <= 3:
        return 1
    return max(1, len(_VOWEL_GROUP.findall(_SILENT_END.sub("", word))))


def readability(doc: _Text) -> tuple[float | None, float | None]:
    """(Flesch reading ease, Flesch-Kincaid grade), or (None, None) for short texts."""
    words = doc.words
    if len(words) < MIN_GRADED_WORDS or not doc.sentences:
        return None, None
    per_sentence = len(words) / len(doc.sentences)
    per_word = sum(_syllables(w) for w in words) / len(words)
    ease = 206.835 - 1.015 * per_sentence - 84.6 * per_word
    grade = 0.39 * per_sentence + 11.8 * per_word - 15.59
    return round(ease, 1), round(grade, 1)


def _reading(ruleset: Ruleset, ease: float | None, grade: float | None) -> list[Finding]:
    findings = []
    minimum = ruleset.min_reading_ease
    if ease is not None and minimum is not None and ease < minimum:
        findings.append(
            Finding(None, None, None, "reading_level", "info",
                    f"Reading ease {ease:g}; the guide asks for {minimum:g} or more.",
                    "Use shorter sentences and simpler words.")
        )  # fmt: skip
    if grade is not None and ruleset.max_grade is not None and grade > ruleset.max_grade:
        findings.append(
            Finding(None, None, None, "reading_level", "info",
                    f"Reading grade {grade:g}; the guide asks for grade "
                    f"{ruleset.max_grade:g} or below.",
                    "Use shorter sentences and simpler words.")
        )  # fmt: skip
    return findings


def _max_length(doc: _Text, ruleset: Ruleset, channel: str | None) -> list[Finding]:
    if not channel:
        return []
    limits = ruleset.channels()
    if channel not in limits:
        raise ValueError(f"Unknown channel {channel!r}; known: {', '.join(sorted(limits))}.")
    limit = limits[channel]
    length = len(doc.text.rstrip())
    if length <= limit:
        return []
    label = channel.replace("_", " ")
    return [
        doc.finding(limit, length, "max_length", "warning",
                    f"{length:,} characters; {label} allows {limit:,}.",
                    f"Cut {length - limit:,} characters.")
    ]  # fmt: skip


def _missing(element: str, message: str, suggestion: str) -> Finding:
    return Finding(None, None, None, "required", "warning", message, suggestion, element)


def _required(doc: _Text, required: Sequence[str]) -> list[Finding]:
    findings = []
    for raw in required:
        element = raw.strip().lower()
        name, _, arg = element.partition(":")
        number = int(arg) if arg.isdigit() else None
        words = len(doc.words)
        if name == "cta" and not _CTA.search(doc.masked):
            findings.append(
                _missing(element, "No call to action.", "Say what to do next: “Book a demo”.")
            )
        elif name == "question_end":
            tail = _TRAILING.sub("", doc.masked)
            if not tail.endswith("?"):
                findings.append(_missing(element, "The text should end with a question.",
                                         "Close with a question to the reader."))  # fmt: skip
        elif name == "question" and "?" not in doc.masked:
            findings.append(_missing(element, "The text should ask a question.", ""))
        elif name == "link" and not _LINK.search(doc.text):
            findings.append(_missing(element, "No link.", "Add the link the reader needs."))
        elif name == "hashtag" and not _HASHTAG.search(doc.masked):
            findings.append(_missing(element, "No hashtag.", "Add a hashtag."))
        elif name == "mention" and not _MENTION.search(doc.masked):
            findings.append(_missing(element, "No @mention.", "Mention someone with @name."))
        elif name in {"max_words", "min_words", "max_chars"} and number is not None:
            size = len(doc.text.strip()) if name == "max_chars" else words
            unit = "characters" if name == "max_chars" else "words"
            if name.startswith("max") and size > number:
                findings.append(_missing(element, f"{size:,} {unit}; at most {number:,}.",
                                         f"Cut {size - number:,} {unit}."))  # fmt: skip
            elif name == "min_words" and size < number:
                findings.append(_missing(element, f"{size:,} words; at least {number:,}.", ""))
        elif name not in {"cta", "question_end", "question", "link", "hashtag", "mention"}:
            findings.append(
                Finding(None, None, None, "required_unknown", "info",
                        f"Unknown required element “{raw}”; known: "
                        f"{', '.join(REQUIRED_ELEMENTS)}.", "", raw)
            )  # fmt: skip
    return findings


def _with_sources(findings: list[Finding], ruleset: Ruleset, channel: str | None) -> list[Finding]:
    """Each finding with the origin of its rule (``Finding.source``)."""
    origins = dict(ruleset.origins)
    fixed = {"required": "the workflow's required elements", "required_unknown": "the workflow's "
             "required elements", "max_length": f"the {(channel or '').replace('_', ' ')} limit",
             "superlative": "built-in superlatives list"}  # fmt: skip
    return [
        f if f.source else replace(f, source=origins.get(f.rule) or fixed.get(f.rule) or "built-in")
        for f in findings
    ]


def check(
    text: str, ruleset: Ruleset, *, channel: str | None = None, required: Sequence[str] = ()
) -> Report:
    """Check ``text`` against ``ruleset`` (and a workflow's ``required`` elements).

    Raises ``ValueError`` for a ``channel`` the ruleset doesn't know (``Ruleset.channels()``).
    """
    doc = _Text(text)
    ease, grade = readability(doc)
    findings = [
        *_lexical(doc, ruleset),
        *_style(doc, ruleset),
        *_max_length(doc, ruleset, channel),
        *_reading(ruleset, ease, grade),
        *_required(doc, required),
    ]
    findings = _with_sources(findings, ruleset, channel)
    findings.sort(key=lambda f: (f.start is None, f.start or 0, f.end or 0, f.rule))
    return Report(tuple(findings), score(findings, len(doc.words)), len(doc.words), ease, grade)

"""What the pure parsers produce: plain values the writer stores. No database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha1
from typing import Any

from huddle.capture.importers.archive import ImportRefused

MAX_TITLE = 300
MAX_ID = 200
# Characters in one prompt. Past it the conversation is skipped (and said so in the report): the
# longest prompts people paste (a long brief, a document) are a few hundred thousand characters.
MAX_PROMPT = 1_000_000
NUL = "\x00"  # PostgreSQL's text can't hold it; what a person wrote with one is not stored


@dataclass(slots=True)
class ParsedPrompt:
    external_id: str
    position: int
    text: str
    sent_at: datetime | None
    alternatives: int = 0
    text_hash: str = ""  # set by ``pipeline.parse``, in the process that parses


@dataclass
class ParsedConversation:
    external_id: str
    title: str
    started_at: datetime | None
    model: str = ""
    gizmo_id: str = ""
    prompts: list[ParsedPrompt] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)  # custom instruction texts used
    rewrites: int = 0
    regenerations: int = 0
    skipped: str = ""  # why it is not imported ("empty", "cycle …", "current_node …")


def pack(conversations: list[ParsedConversation]) -> list[tuple[Any, ...]]:
    """The conversations as plain tuples, to pickle: a third cheaper than the objects."""
    return [
        (
            c.external_id, c.title, c.started_at, c.model, c.gizmo_id,
            [(p.external_id, p.position, p.text, p.sent_at, p.alternatives, p.text_hash)
             for p in c.prompts],
            c.instructions, c.rewrites, c.regenerations, c.skipped,
        )
        for c in conversations
    ]  # fmt: skip


def unpack(packed: list[tuple[Any, ...]]) -> list[ParsedConversation]:
    """``pack`` undone."""
    conversations = []
    for (
        external_id, title, started_at, model, gizmo_id, prompts,
        instructions, rewrites, regenerations, skipped,
    ) in packed:  # fmt: skip
        conversations.append(
            ParsedConversation(
                external_id=external_id,
                title=title,
                started_at=started_at,
                model=model,
                gizmo_id=gizmo_id,
                prompts=[ParsedPrompt(*prompt) for prompt in prompts],
                instructions=instructions,
                rewrites=rewrites,
                regenerations=regenerations,
                skipped=skipped,
            )
        )
    return conversations


@dataclass
class ParsedDoc:
    filename: str
    content: str


@dataclass
class ParsedProject:
    external_id: str
    name: str
    description: str
    prompt_template: str
    docs: list[ParsedDoc]


def text_hash(text: str) -> str:
    """The hash of a prompt's normalised text (case and spacing ignored): exact repeats.

    ``" ".join(text.split())`` is ``re.sub(r"\\s+", " ", text).strip()`` (both split on what
    ``str.isspace`` calls space), several times faster; the hashes stored by earlier imports stay
    the same."""
    normal = " ".join(text.split()).casefold()
    return sha1(normal.encode("utf-8"), usedforsecurity=False).hexdigest()


def when(value: Any) -> datetime | None:
    """An epoch number or an ISO-8601 string as an aware datetime; None when unreadable."""
    if type(value) is float:  # what JSON exports hold; checked first because it is most common
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(float(value), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def without_nul(value: str) -> str:
    """``value`` without NUL characters (ids, titles, names: nothing a person reads is lost)."""
    return value.replace(NUL, "") if NUL in value else value


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)`` for a report, at most about ``limit`` characters: a skipped conversation's
    reason is stored with the import's report, so a hostile id can't make it a monster."""
    if isinstance(value, str) and len(value) > limit:
        return repr(value[:limit]) + "…"
    if isinstance(value, dict | list):
        return f"<{type(value).__name__} of {len(value):,}>"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def ident(value: Any) -> str:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return without_nul(str(value))[:MAX_ID]
    return ""


def label(value: Any, limit: int = MAX_TITLE) -> str:
    return without_nul(value).strip()[:limit] if isinstance(value, str) else ""


def checked(conversation: ParsedConversation) -> ParsedConversation:
    """``conversation`` ready to store: NUL characters dropped from its model and prompt ids, and
    skipped, with the reason, when a prompt holds a NUL or is longer than ``MAX_PROMPT``
    characters, or its custom instructions hold a NUL (the texts are let go)."""
    conversation.model = without_nul(conversation.model)
    problem = ""
    for number, prompt in enumerate(conversation.prompts, start=1):
        prompt.external_id = without_nul(prompt.external_id)
        if len(prompt.text) > MAX_PROMPT:
            problem = (
                f"prompt {number} is {len(prompt.text):,} characters long; "
                f"the limit is {MAX_PROMPT:,}"
            )
        elif NUL in prompt.text:
            problem = f"prompt {number} holds a NUL character (\\u0000), which can't be stored"
        if problem:
            break
    if not problem and any(NUL in text for text in conversation.instructions):
        problem = "its custom instructions hold a NUL character (\\u0000), which can't be stored"
    if problem:
        conversation.skipped = problem
        conversation.prompts, conversation.instructions = [], []
    return conversation


# What each export's conversations carry, to tell which one a misfiled file is.
_MARKS = {"ChatGPT": "mapping", "Claude": "chat_messages"}


def wrong_shape(
    file: str, number: int, problem: str, source: str, raw: Any = None
) -> ImportRefused:
    """The refusal for a conversation not shaped like ``source``'s. When it is shaped like the
    other service's, say so plainly: choosing the wrong export type is the usual cause."""
    if isinstance(raw, dict):
        for other, mark in _MARKS.items():
            if other != source and mark in raw:
                return ImportRefused(
                    f"This looks like a {other} export, not {source}. Choose “{other}” as the "
                    "service and upload the file again."
                )
    return ImportRefused(f"{file}: conversation {number} {problem}; is this a {source} export?")

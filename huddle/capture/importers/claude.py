"""Claude's data export: pure parsing of conversations and projects. No database.

A conversation is ``{uuid, name, created_at, chat_messages: [{uuid, sender, text, content,
created_at, attachments, files}]}``; prompts are the ``human`` messages with text (attachments'
extracted text is context, not a prompt). A project is ``{uuid, name, description,
prompt_template, docs: [{filename, content}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from huddle.capture.importers.archive import ImportRefused
from huddle.capture.importers.parsed import (
    NUL,
    ParsedConversation,
    ParsedDoc,
    ParsedProject,
    ParsedPrompt,
    checked,
    ident,
    label,
    when,
    wrong_shape,
)

SOURCE = "Claude"


def parse_conversation(raw: Any, *, file: str, number: int) -> ParsedConversation:
    """One conversation; ``ImportRefused`` when it is not shaped like Claude's."""
    if not isinstance(raw, Mapping):
        raise wrong_shape(file, number, "is not an object", SOURCE)
    messages = raw.get("chat_messages")
    if not isinstance(messages, list):
        raise wrong_shape(file, number, "has no 'chat_messages' list", SOURCE, raw)
    external_id = ident(raw.get("uuid"))
    conversation = ParsedConversation(
        external_id=external_id,
        title=label(raw.get("name")),
        started_at=when(raw.get("created_at")),
    )
    if not external_id:
        conversation.skipped = "no conversation uuid"
        return conversation
    for n, message in enumerate(messages):
        if not isinstance(message, Mapping) or message.get("sender") != "human":
            continue
        text = message_text(message)
        if not text.strip():
            continue
        conversation.prompts.append(
            ParsedPrompt(
                external_id=ident(message.get("uuid")) or f"#{n}",
                position=len(conversation.prompts),
                text=text,
                sent_at=when(message.get("created_at")) or conversation.started_at,
            )
        )
    if not conversation.prompts:
        conversation.skipped = "empty"
    return checked(conversation)


def message_text(message: Mapping[str, Any]) -> str:
    text = message.get("text")
    if isinstance(text, str) and text.strip():
        return text
    content = message.get("content")
    if isinstance(content, list):
        parts = [
            c["text"]
            for c in content
            if isinstance(c, Mapping) and c.get("type") == "text" and isinstance(c.get("text"), str)
        ]
        return "\n".join(p for p in parts if p)
    return ""


def parse_project(raw: Any, *, file: str, number: int) -> ParsedProject:
    """One project; ``ImportRefused`` when it is not an object with a name or uuid, or when its
    instructions or a document hold a NUL character (names and ids lose theirs)."""
    if not isinstance(raw, Mapping) or not (ident(raw.get("uuid")) or label(raw.get("name"))):
        raise ImportRefused(f"{file}: project {number} is not a project object with a uuid.")
    docs_raw = raw.get("docs")
    docs = []
    for doc in docs_raw if isinstance(docs_raw, list) else []:
        if isinstance(doc, Mapping) and isinstance(doc.get("content"), str):
            content = doc["content"]
            if content.strip():
                docs.append(ParsedDoc(filename=label(doc.get("filename"), 200), content=content))
    template = raw.get("prompt_template")
    if (isinstance(template, str) and NUL in template) or any(NUL in d.content for d in docs):
        raise ImportRefused(
            f"{file}: project {number} holds a NUL character (\\u0000), which can't be stored."
        )
    return ParsedProject(
        external_id=ident(raw.get("uuid")) or label(raw.get("name"), 200),
        name=label(raw.get("name"), 200) or "Claude project",
        description=label(raw.get("description"), 2000),
        prompt_template=template.strip() if isinstance(template, str) else "",
        docs=docs,
    )

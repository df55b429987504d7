"""ChatGPT's "Export data": pure parsing of one conversation at a time. No database.

The visible thread is the path from ``current_node`` up the ``parent`` links (``children`` is
never trusted: newer exports omit some). Other children of a node on the path are alternatives:
edited prompts (``rewrites``) and regenerated answers (``regenerations``). Prompts are the
user's visible messages on the thread; hidden messages, "user system messages" and
``user_editable_context`` (custom instructions) are not. Custom instructions are collected from
``user_editable_context`` contents (``user_profile``, ``user_instructions``) and from
``metadata.user_context_message_data`` (``about_user_message``, ``about_model_message``).

The input is what a JSON parser gives (``dict``, ``list``, ``str``…), so the checks are
``isinstance(x, dict)``: the ``Mapping`` ABC check costs several times more, and this code runs
for every message of exports of a gigabyte.
"""

from __future__ import annotations

from typing import Any

from huddle.capture.importers.parsed import (
    ParsedConversation,
    ParsedPrompt,
    checked,
    ident,
    label,
    shown,
    when,
    wrong_shape,
)

SOURCE = "ChatGPT"
INSTRUCTION_KEYS = ("user_profile", "user_instructions")
CONTEXT_KEYS = ("about_user_message", "about_model_message")
NO_METADATA: dict[str, Any] = {}


def parse_conversation(raw: Any, *, file: str, number: int) -> ParsedConversation:
    """One conversation of the export. ``ImportRefused`` when it is not shaped like ChatGPT's
    (not an object, no ``mapping`` object); a broken thread is returned with ``skipped`` set."""
    if not isinstance(raw, dict):
        raise wrong_shape(file, number, "is not an object", SOURCE)
    mapping = raw.get("mapping")
    if not isinstance(mapping, dict):
        raise wrong_shape(file, number, "has no 'mapping' object", SOURCE, raw)
    external_id = ident(raw.get("conversation_id")) or ident(raw.get("id"))
    conversation = ParsedConversation(
        external_id=external_id,
        title=label(raw.get("title")),
        started_at=when(raw.get("create_time")),
        gizmo_id=label(raw.get("gizmo_id"), 200),
    )
    if not external_id:
        conversation.skipped = "no conversation id"
        return conversation
    current = raw.get("current_node")
    if not isinstance(current, str) or current not in mapping:
        conversation.skipped = f"current_node {shown(current)} is not in the mapping"
        return conversation
    path, problem = _thread(mapping, current)
    if problem:
        conversation.skipped = problem
        return conversation
    # A thread that holds every node has no alternatives: the common case skips the children.
    children = _children(mapping) if len(path) < len(mapping) else None
    model = ""
    prompts = conversation.prompts
    instructions = conversation.instructions
    for node_id in path:
        node = mapping[node_id]
        message = node.get("message")
        if not isinstance(message, dict):
            continue
        metadata = message.get("metadata")
        if not isinstance(metadata, dict):
            metadata = NO_METADATA
        content = message.get("content")
        if not isinstance(content, dict):
            content = NO_METADATA
        content_type = content.get("content_type")
        if content_type == "user_editable_context" or "user_context_message_data" in metadata:
            _collect_instructions(content, metadata, instructions)
        role = _role(message)
        siblings: list[str] = []
        if children is not None:
            siblings = [c for c in children.get(node.get("parent"), ()) if c != node_id]
        if role == "assistant":
            slug = metadata.get("model_slug")
            if isinstance(slug, str) and slug:
                model = slug
            if siblings:
                conversation.regenerations += sum(
                    1 for s in siblings if _role(_message(mapping, s)) == "assistant"
                )
        if (
            role != "user"
            or content_type == "user_editable_context"
            or metadata.get("is_visually_hidden_from_conversation") is True
            or metadata.get("is_user_system_message") is True
        ):
            continue
        text = _text(content)
        if not text or text.isspace():
            continue
        rewrites = sum(1 for s in siblings if _role(_message(mapping, s)) == "user")
        conversation.rewrites += rewrites
        prompts.append(
            ParsedPrompt(
                external_id=ident(message.get("id")) or node_id[:200],
                position=len(prompts),
                text=text,
                sent_at=when(message.get("create_time")) or conversation.started_at,
                alternatives=rewrites,
            )
        )
    conversation.model = (model or label(raw.get("default_model_slug"), 100))[:100]
    if not prompts:
        conversation.skipped = "empty"
    return checked(conversation)


def _thread(mapping: dict[str, Any], current: str) -> tuple[list[str], str]:
    """Node ids from the root to ``current`` by ``parent`` links, or a problem naming a cycle."""
    path: list[str] = []
    seen: set[str] = set()
    node_id: Any = current
    while isinstance(node_id, str) and node_id in mapping:
        if node_id in seen:
            return [], f"cycle in the mapping at node {shown(node_id)}"
        seen.add(node_id)
        path.append(node_id)
        node = mapping[node_id]
        if not isinstance(node, dict):
            return [], f"node {shown(node_id)} is not an object"
        node_id = node.get("parent")
    path.reverse()
    return path, ""


def _children(mapping: dict[str, Any]) -> dict[Any, list[str]]:
    """Children by the ``parent`` links (the ``children`` lists may be incomplete)."""
    children: dict[Any, list[str]] = {}
    for node_id, node in mapping.items():
        if isinstance(node, dict):
            parent = node.get("parent")
            if isinstance(parent, str):
                children.setdefault(parent, []).append(node_id)
    return children


def _message(mapping: dict[str, Any], node_id: str) -> Any:
    node = mapping.get(node_id)
    return node.get("message") if isinstance(node, dict) else None


def _role(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    author = message.get("author")
    role = author.get("role") if isinstance(author, dict) else None
    return role if isinstance(role, str) else ""


def message_text(message: dict[str, Any]) -> str:
    """The text a person sees: string parts (image pointers and other objects left out), or
    ``text`` for code and other single-text contents."""
    content = message.get("content")
    return _text(content if isinstance(content, dict) else NO_METADATA)


def _text(content: dict[str, Any]) -> str:
    parts = content.get("parts")
    if isinstance(parts, list):
        if len(parts) == 1 and type(parts[0]) is str:  # the usual text message
            return parts[0]
        texts = [p for p in parts if isinstance(p, str)]
        texts += [
            p["text"] for p in parts if isinstance(p, dict) and isinstance(p.get("text"), str)
        ]
        return "\n".join(t for t in texts if t)
    text = content.get("text")
    return text if isinstance(text, str) else ""


def _collect_instructions(
    content: dict[str, Any], metadata: dict[str, Any], found: list[str]
) -> None:
    """Custom instructions as one text: what the person said about themselves, then how the
    model should answer; the same settings give the same text from either place."""
    pairs = []
    if content.get("content_type") == "user_editable_context":
        pairs.append((content.get(INSTRUCTION_KEYS[0]), content.get(INSTRUCTION_KEYS[1])))
    data = metadata.get("user_context_message_data")
    if isinstance(data, dict):
        pairs.append((data.get(CONTEXT_KEYS[0]), data.get(CONTEXT_KEYS[1])))
    for about, how in pairs:
        sections = []
        if isinstance(about, str) and about.strip():
            sections.append("About me:\n" + about.strip())
        if isinstance(how, str) and how.strip():
            sections.append("How to respond:\n" + how.strip())
        text = "\n\n".join(sections)
        if text and text not in found:
            found.append(text)

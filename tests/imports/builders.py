"""Chat exports built by the tests: ChatGPT and Claude shapes, single or split files, zipped."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

T0 = 1_750_000_000.0  # 2025-06-15


class Thread:
    """A ChatGPT conversation built message by message; ``as_dict()`` is its export form."""

    def __init__(
        self,
        conversation_id: str,
        title: str,
        *,
        create_time: float = T0,
        default_model_slug: str = "gpt-4o",
        gizmo_id: str | None = None,
        children_links: bool = True,
    ) -> None:
        self.id, self.title, self.create_time = conversation_id, title, create_time
        self.default_model_slug, self.gizmo_id = default_model_slug, gizmo_id
        self.children_links = children_links
        self.mapping: dict[str, dict[str, Any]] = {
            "root": {"id": "root", "parent": None, "children": [], "message": None}
        }
        self.last = "root"
        self.count = 0

    def add(
        self,
        role: str,
        content: dict[str, Any],
        *,
        node_id: str | None = None,
        parent: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        self.count += 1
        node_id = node_id or f"{self.id}-m{self.count}"
        parent = parent or self.last
        message = {
            "id": node_id,
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": self.create_time + self.count * 60,
            "content": content,
            "status": "finished_successfully",
            "metadata": metadata or {},
        }
        self.mapping[node_id] = {
            "id": node_id,
            "parent": parent,
            "children": [],
            "message": message,
        }
        if self.children_links:
            self.mapping[parent]["children"].append(node_id)
        self.last = node_id
        return node_id

    def user(self, text: str, **kw: Any) -> str:
        return self.add("user", {"content_type": "text", "parts": [text]}, **kw)

    def assistant(self, text: str, *, model: str | None = None, **kw: Any) -> str:
        metadata = {"model_slug": model} if model else {}
        return self.add(
            "assistant", {"content_type": "text", "parts": [text]}, metadata=metadata, **kw
        )

    def as_dict(self, current_node: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "conversation_id": self.id,
            "title": self.title,
            "create_time": self.create_time,
            "update_time": self.create_time + 3600,
            "current_node": current_node or self.last,
            "default_model_slug": self.default_model_slug,
            "gizmo_id": self.gizmo_id,
            "mapping": self.mapping,
        }


def simple_chat(conversation_id: str, *prompts: str, create_time: float = T0) -> dict[str, Any]:
    thread = Thread(
        conversation_id, prompts[0][:30] if prompts else "Empty", create_time=create_time
    )
    for prompt in prompts:
        thread.user(prompt)
        thread.assistant("Sure, here it is.")
    return thread.as_dict()


def rich_chatgpt() -> list[dict[str, Any]]:
    """Every content type and shape the importer must understand (see the test for the rules)."""
    # 1. Custom instructions as a user_editable_context message; every content type.
    a = Thread("conv-types", "All the content types")
    a.add("system", {"content_type": "text", "parts": [""]},
          metadata={"is_visually_hidden_from_conversation": True})  # fmt: skip
    a.add("user", {"content_type": "user_editable_context", "user_profile": "I run marketing.",
                   "user_instructions": "Be brief."},
          metadata={"is_visually_hidden_from_conversation": True})  # fmt: skip
    a.user("Write a tagline for Huddle")
    a.assistant("Huddle: share what works.", model="gpt-4o-mini")
    a.add("user", {"content_type": "multimodal_text", "parts": [
        {"content_type": "image_asset_pointer", "asset_pointer": "file-service://x", "width": 10},
        "What does this chart say?"]})  # fmt: skip
    a.add("assistant", {"content_type": "code", "language": "python", "text": "print(1)"})
    a.add("tool", {"content_type": "execution_output", "text": "1"})
    a.add("assistant", {"content_type": "thoughts", "thoughts": [{"summary": "s", "content": "c"}]})
    a.add("assistant", {"content_type": "reasoning_recap", "content": "Thought for 3s"})
    a.add("tool", {"content_type": "tether_browsing_display", "result": "", "summary": ""})
    a.add("tool", {"content_type": "tether_quote", "url": "https://x", "text": "quoted"})
    a.add("user", {"content_type": "code", "language": "unknown", "text": "SELECT 1;"})
    a.add("user", {"content_type": "text", "parts": ["(hidden) continue"]},
          metadata={"is_visually_hidden_from_conversation": True})  # fmt: skip
    a.add("user", {"content_type": "text", "parts": ["system-ish note"]},
          metadata={"is_user_system_message": True})  # fmt: skip
    a.assistant("Done.")

    # 2. Branches: an edited prompt and a regenerated answer; instructions in metadata;
    #    model only at the conversation level; no children links.
    b = Thread("conv-branch", "Branches", default_model_slug="gpt-5", children_links=False,
               gizmo_id="g-p-123")  # fmt: skip
    b.add("system", {"content_type": "text", "parts": [""]}, metadata={
        "is_visually_hidden_from_conversation": True,
        "user_context_message_data": {"about_user_message": "I run marketing.",
                                      "about_model_message": "Be brief."}})  # fmt: skip
    b.user("Draft an email to CFOs")
    answer = b.assistant("Draft 1")
    b.user("Make it shorter please", parent=answer)  # the abandoned edit
    b.assistant("Short 1")
    kept = b.user("Make it shorter and friendlier", parent=answer)  # the kept edit
    b.assistant("Short 2, first try")
    b.assistant("Short 2", parent=kept)  # the regenerated answer the thread ends on

    # 3. Instructions that differ from the first → a second instructions workflow.
    c = Thread("conv-other-instructions", "Other instructions")
    c.add("system", {"content_type": "text", "parts": [""]}, metadata={
        "user_context_message_data": {"about_user_message": "",
                                      "about_model_message": "Use UK English."}
    })  # fmt: skip
    c.user("Spell colour")

    # 4. Empty: no prompt.
    d = Thread("conv-empty", "Nothing said")
    d.assistant("Hello! How can I help?")

    # 5. A cycle in the parent links.
    e = Thread("conv-cycle", "Loops")
    x = e.user("one")
    y = e.assistant("two")
    e.mapping[x]["parent"] = y

    # 6. current_node points nowhere.
    f = Thread("conv-dangling", "Dangling")
    f.user("hello")
    return [
        a.as_dict(),
        b.as_dict(),
        c.as_dict(),
        d.as_dict(),
        e.as_dict(),
        f.as_dict(current_node="missing-node"),
    ]


def write_zip(path: Path, files: dict[str, bytes | str | Any]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            if isinstance(content, str):
                content = content.encode()
            elif not isinstance(content, bytes):
                content = json.dumps(content).encode()
            archive.writestr(name, content)
    return path


def chatgpt_zip(path: Path, conversations: list[dict[str, Any]], *, split: int = 0) -> Path:
    """A ChatGPT export; ``split`` > 0 spreads the conversations over conversations-NNN.json."""
    files: dict[str, Any] = {
        "user.json": {"id": "user-1", "email": "someone@example.com"},
        "message_feedback.json": [],
        "chat.html": "<html></html>",
        "file-abc.png": b"\x89PNG....",
    }
    if split:
        for n in range(0, max(len(conversations), 1), split):
            files[f"conversations-{n // split:03d}.json"] = conversations[n : n + split]
    else:
        files["conversations.json"] = conversations
    return write_zip(path, files)


def claude_chat(uuid: str, name: str, *prompts: str, created: str = "2025-06-01T10:00:00Z") -> dict:
    messages = []
    for n, prompt in enumerate(prompts):
        messages.append({"uuid": f"{uuid}-h{n}", "sender": "human", "text": prompt,
                         "content": [{"type": "text", "text": prompt}], "created_at": created,
                         "attachments": [{"file_name": "a.txt", "extracted_content": "ctx"}],
                         "files": []})  # fmt: skip
        messages.append({"uuid": f"{uuid}-a{n}", "sender": "assistant", "text": "Answer",
                         "content": [{"type": "text", "text": "Answer"}], "created_at": created,
                         "attachments": [], "files": []})  # fmt: skip
    return {"uuid": uuid, "name": name, "created_at": created, "updated_at": created,
            "chat_messages": messages}  # fmt: skip


def claude_zip(
    path: Path, conversations: list[dict[str, Any]], projects: list[dict[str, Any]] | None = None
) -> Path:
    files: dict[str, Any] = {"users.json": [{"uuid": "u1", "full_name": "Someone"}]}
    files["conversations.json"] = conversations
    if projects is not None:
        files["projects.json"] = projects
    return write_zip(path, files)


def claude_project(uuid: str, name: str, template: str, docs: dict[str, str]) -> dict[str, Any]:
    return {
        "uuid": uuid,
        "name": name,
        "description": f"About {name}",
        "prompt_template": template,
        "docs": [
            {"uuid": f"{uuid}-{n}", "filename": f, "content": c}
            for n, (f, c) in enumerate(docs.items())
        ],
    }

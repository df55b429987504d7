"""Importing Claude exports: conversations, projects → instructions workflows and context assets."""

from __future__ import annotations

import pytest

from huddle.capture.models import Conversation, ImportSignals, Prompt
from huddle.context.models import ContextAsset
from huddle.library.models import Workflow
from tests.imports.builders import claude_chat, claude_project, claude_zip

# Each test runs with the export parsed in the importing process and in a child process.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parsing")]


def _export(tmp_path, name="claude.zip"):
    conversations = [
        claude_chat("u1", "Launch plan", "Plan the Huddle launch", "Now as a table"),
        claude_chat("u2", "Nothing", created="2025-06-02T10:00:00Z"),
        {"uuid": "u3", "name": "Content blocks", "created_at": "2025-06-03T10:00:00Z",
         "chat_messages": [{"uuid": "m1", "sender": "human", "text": "",
                            "content": [{"type": "text", "text": "From blocks"},
                                        {"type": "tool_use", "name": "x"}]}]},
    ]  # fmt: skip
    projects = [
        claude_project(
            "p1",
            "Brand voice",
            "You write in Acme's voice: plain, warm, no jargon.",
            {"voice.md": "# Voice\nPlain and warm.", "2024 Guide.txt": "Avoid buzzwords."},
        ),
        claude_project("p2", "Empty project", "", {}),
    ]
    return claude_zip(tmp_path / name, conversations, projects)


def _import(cli, path, persona):
    return cli("import", "claude", path, "--org", "acme", "--user", persona.user.email, "--json")


def test_conversations_projects_and_docs(cli, member, tmp_path):
    code, report, err = _import(cli, _export(tmp_path), member)
    assert code == 0, err
    assert report == {
        "source": "claude",
        "conversations": 2,
        "prompts": 3,
        "duplicates": 0,
        "skipped": [{"id": "u2", "title": "Nothing", "reason": "empty"}],
        "instructions": 1,
        "projects": 2,
        "context_assets": 2,
    }
    assert list(Prompt.objects.order_by("id").values_list("text", flat=True)) == [
        "Plan the Huddle launch",
        "Now as a table",
        "From blocks",
    ]
    assert set(Conversation.objects.values_list("source", flat=True)) == {"claude"}
    workflow = Workflow.objects.get(kind="instructions")
    assert workflow.title == "Brand voice (Claude project instructions)"
    assert (workflow.owner, workflow.visibility) == (member.user, "private")
    assets = ContextAsset.objects.order_by("slug")
    assert [(a.slug, a.kind, a.visibility, a.owner) for a in assets] == [
        ("brand_voice_2024_guide", "other", "private", member.user),
        ("brand_voice_voice", "other", "private", member.user),
    ]
    signals = ImportSignals.objects.get(owner=member.user)
    assert (signals.projects, signals.follow_ups, signals.instructions) == (2, 1, 1)


def test_reimport_makes_nothing_twice(cli, member, tmp_path):
    _import(cli, _export(tmp_path), member)
    code, report, _ = _import(cli, _export(tmp_path, "again.zip"), member)
    assert code == 0
    assert report["conversations"] == report["prompts"] == 0
    assert report["duplicates"] == 2
    assert report["instructions"] == report["projects"] == report["context_assets"] == 0
    assert ContextAsset.objects.count() == 2
    assert Workflow.objects.count() == 1


def test_slugs_stay_unique_across_members(cli, member, editor, tmp_path):
    _import(cli, _export(tmp_path), member)
    _import(cli, _export(tmp_path, "e.zip"), editor)
    slugs = sorted(ContextAsset.objects.filter(owner=editor.user).values_list("slug", flat=True))
    assert slugs == ["brand_voice_2024_guide_2", "brand_voice_voice_2"]


def test_chatgpt_file_given_as_claude_is_refused(cli, member, tmp_path):
    from tests.imports.builders import chatgpt_zip, simple_chat

    path = chatgpt_zip(tmp_path / "g.zip", [simple_chat("c1", "hi")])
    code, _, err = _import(cli, path, member)
    assert code == 2
    assert "This looks like a ChatGPT export, not Claude." in err  # issue 19
    assert not Conversation.objects.exists()

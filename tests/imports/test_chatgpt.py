"""Importing ChatGPT exports: threads by parent links, prompts, skips, instructions, re-import."""

from __future__ import annotations

import pytest

from huddle.capture.models import Conversation, ImportSignals, Prompt
from huddle.library.models import Workflow
from tests.imports.builders import chatgpt_zip, rich_chatgpt, simple_chat

# Each test runs with the export parsed in the importing process and in a child process.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parsing")]


def _import(cli, path, member, *extra):
    return cli("import", "chatgpt", path, "--org", "acme", "--user", member.user.email, *extra)


@pytest.mark.parametrize("split", [0, 2])
def test_every_content_type_and_shape(cli, member, tmp_path, split):
    path = chatgpt_zip(tmp_path / "export.zip", rich_chatgpt(), split=split)
    code, report, err = _import(cli, path, member, "--json")
    assert code == 0, err
    assert report == {
        "source": "chatgpt",
        "conversations": 3,
        "prompts": 6,
        "duplicates": 0,
        "skipped": [
            {"id": "conv-empty", "title": "Nothing said", "reason": "empty"},
            {"id": "conv-cycle", "title": "Loops", "reason": report["skipped"][1]["reason"]},
            {
                "id": "conv-dangling",
                "title": "Dangling",
                "reason": "current_node 'missing-node' is not in the mapping",
            },
        ],
        "instructions": 2,
        "projects": 0,
        "context_assets": 0,
    }
    assert "cycle" in report["skipped"][1]["reason"]
    texts = list(
        Prompt.objects.filter(conversation__external_id="conv-types").values_list("text", flat=True)
    )
    assert texts == ["Write a tagline for Huddle", "What does this chart say?", "SELECT 1;"]
    branch = Conversation.objects.get(external_id="conv-branch")
    assert [p.text for p in branch.prompts.all()] == [
        "Draft an email to CFOs",
        "Make it shorter and friendlier",
    ]
    assert [p.alternatives for p in branch.prompts.all()] == [0, 1]
    assert (branch.rewrites, branch.regenerations, branch.model) == (1, 1, "gpt-5")
    assert branch.uses_instructions
    assert branch.gizmo_id == "g-p-123"
    assert Conversation.objects.get(external_id="conv-types").model == "gpt-4o-mini"
    # Custom instructions in both places give the same text: one workflow; UK English another.
    workflows = Workflow.objects.filter(kind="instructions").order_by("id")
    assert [(w.owner, w.visibility, w.status) for w in workflows] == [
        (member.user, "private", "draft")
    ] * 2
    system = workflows[0].versions.get().system
    assert system == "About me:\nI run marketing.\n\nHow to respond:\nBe brief."
    signals = ImportSignals.objects.get(owner=member.user)
    assert (signals.conversations, signals.prompts, signals.rewrites) == (3, 6, 1)
    assert (signals.follow_ups, signals.instruction_conversations) == (3, 3)
    assert (signals.project_conversations, signals.instructions) == (1, 2)


def test_reimport_adds_only_what_is_new(cli, member, tmp_path):
    first = [simple_chat("c1", "one", "two"), simple_chat("c2", "three")]
    code, report, _ = _import(cli, chatgpt_zip(tmp_path / "a.zip", first), member, "--json")
    assert (code, report["conversations"], report["prompts"]) == (0, 2, 3)
    code, report, _ = _import(cli, chatgpt_zip(tmp_path / "a.zip", first), member, "--json")
    assert (report["conversations"], report["prompts"], report["duplicates"]) == (0, 0, 2)
    assert report["instructions"] == 0
    later = [simple_chat("c1", "one", "two", "four"), simple_chat("c2", "three"),
             simple_chat("c3", "five")]  # fmt: skip
    code, report, _ = _import(cli, chatgpt_zip(tmp_path / "b.zip", later), member, "--json")
    assert (report["conversations"], report["prompts"], report["duplicates"]) == (2, 2, 1)
    assert Prompt.objects.count() == 5
    assert list(
        Prompt.objects.filter(conversation__external_id="c1").values_list("text", "position")
    ) == [("one", 0), ("two", 1), ("four", 2)]


def test_bare_json_and_the_conversations_key_are_accepted(cli, member, tmp_path):
    bare = tmp_path / "conversations-000.json"
    import json

    bare.write_text(json.dumps([simple_chat("c1", "hello")]))
    assert _import(cli, bare, member, "--json")[1]["prompts"] == 1
    keyed = tmp_path / "conversations.json"
    keyed.write_text(json.dumps({"conversations": [simple_chat("c2", "hi")]}))
    assert _import(cli, keyed, member, "--json")[1]["prompts"] == 1


def test_human_summary_without_json(cli, member, tmp_path):
    path = chatgpt_zip(tmp_path / "e.zip", [simple_chat("c1", "hello")])
    code, out, _ = _import(cli, path, member)
    assert code == 0
    assert "Imported 1 conversation(s) with 1 new prompt(s)" in " ".join(out.split())


def test_viewers_and_strangers_cannot_import(cli, viewer, outsider, tmp_path):
    path = chatgpt_zip(tmp_path / "e.zip", [simple_chat("c1", "hello")])
    assert _import(cli, path, viewer)[0] == 2
    code, _, err = _import(cli, path, outsider)
    assert code == 2
    assert "is not a member of acme" in err
    assert not Prompt.objects.exists()

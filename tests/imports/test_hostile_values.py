"""Hostile values inside well-formed chat exports: a number too long to read, NUL characters
(PostgreSQL can't store them) and a prompt of 30 MB. Each gets a clear answer, never a traceback
or a stored monster; in the importing process and in the parsing process, on both databases."""

from __future__ import annotations

import json

import pytest

from huddle.capture.importers.parsed import MAX_PROMPT
from huddle.capture.models import Conversation, ImportedItem, Prompt
from huddle.context.models import ContextAsset
from huddle.core.models import Event
from huddle.library.models import Workflow
from tests.imports.builders import (
    Thread,
    claude_chat,
    claude_project,
    claude_zip,
    simple_chat,
    write_zip,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("parsing")]

HUGE = 30 * 1024 * 1024


def _import(cli, source, path, persona):
    return cli("import", source, path, "--org", "acme", "--user", persona.user.email, "--json")


def _nothing_written() -> None:
    for model in (Conversation, Prompt, Workflow, ContextAsset, ImportedItem, Event):
        assert not model.objects.exists(), model


@pytest.mark.parametrize("source", ["chatgpt", "claude"])
def test_a_number_of_5001_digits_refuses_the_file_whole(cli, member, tmp_path, source):
    first = simple_chat("c1", "hello") if source == "chatgpt" else claude_chat("u1", "T", "hello")
    body = json.dumps([first, {"n": 0}]).replace('{"n": 0}', '{"n": ' + "7" * 5001 + "}")
    path = write_zip(tmp_path / "digits.zip", {"conversations.json": body})
    code, out, err = _import(cli, source, path, member)
    assert code == 2
    assert err.startswith("Error: conversations.json is not valid JSON")
    assert "a number of more than 4,300 digits" in err
    assert out == ""
    _nothing_written()


def _chatgpt_with(prompt: str, *, title: str = "Fine") -> dict:
    thread = Thread("c2", title)
    thread.user(prompt)
    thread.assistant("Sure.")
    return thread.as_dict()


def _export(tmp_path, source: str, prompt: str, title: str = "Fine"):
    if source == "chatgpt":
        conversations = [simple_chat("c1", "hello"), _chatgpt_with(prompt, title=title)]
    else:
        conversations = [claude_chat("u1", "Hello", "hello"), claude_chat("c2", title, prompt)]
    if len(prompt) > 1_000_000:  # zipped, this inflates more than 100:1 and is refused for that
        path = tmp_path / "conversations.json"
        path.write_text(json.dumps(conversations), encoding="utf-8")
        return path
    return write_zip(tmp_path / f"{source}.zip", {"conversations.json": conversations})


@pytest.mark.parametrize("source", ["chatgpt", "claude"])
def test_a_prompt_with_a_nul_character_skips_its_conversation(cli, member, tmp_path, source):
    path = _export(tmp_path, source, "before\x00after", title="Nul\x00title")
    code, report, err = _import(cli, source, path, member)
    assert code == 0, err
    assert report["prompts"] == 1
    assert report["skipped"] == [
        {
            "id": "c2",
            "title": "Nultitle",
            "reason": "prompt 1 holds a NUL character (\\u0000), which can't be stored",
        }
    ]
    assert list(Prompt.objects.values_list("text", flat=True)) == ["hello"]


@pytest.mark.parametrize("source", ["chatgpt", "claude"])
def test_a_prompt_of_30_mb_skips_its_conversation(cli, member, tmp_path, source):
    path = _export(tmp_path, source, "x" * HUGE)
    code, report, err = _import(cli, source, path, member)
    assert code == 0, err
    assert report["prompts"] == 1
    assert report["skipped"] == [
        {
            "id": "c2",
            "title": "Fine",
            "reason": f"prompt 1 is {HUGE:,} characters long; the limit is {MAX_PROMPT:,}",
        }
    ]
    assert max(len(text) for text in Prompt.objects.values_list("text", flat=True)) == 5


def test_nul_characters_in_ids_and_titles_are_dropped(cli, member, tmp_path):
    thread = Thread("c\x003", "Ti\x00tle", default_model_slug="gpt\x00-4o")
    thread.user("hello", node_id="node\x001")
    path = write_zip(tmp_path / "ids.zip", {"conversations.json": [thread.as_dict()]})
    code, report, err = _import(cli, "chatgpt", path, member)
    assert code == 0, err
    assert report["prompts"] == 1
    conversation = Conversation.objects.get()
    assert (conversation.external_id, conversation.title, conversation.model) == (
        "c3",
        "Title",
        "gpt-4o",
    )
    assert Prompt.objects.get().external_id == "node1"


@pytest.mark.parametrize(
    ("template", "docs"),
    [("Be \x00 plain.", {"voice.md": "Plain."}), ("Be plain.", {"voice.md": "Pl\x00ain."})],
)
def test_a_claude_project_with_a_nul_character_refuses_the_file(
    cli, member, tmp_path, template, docs
):
    project = claude_project("p1", "Brand voice", template, docs)
    path = claude_zip(tmp_path / "p.zip", [claude_chat("u1", "Hello", "hello")], [project])
    code, out, err = _import(cli, "claude", path, member)
    assert (code, out) == (2, "")
    assert err == (
        "Error: projects.json: project 1 holds a NUL character (\\u0000), which can't be stored."
    )
    _nothing_written()


def test_a_huge_id_in_a_skip_reason_is_cut(cli, member, tmp_path):
    """The reasons of skipped conversations are stored with the import's report."""
    thread = Thread("c1", "Lost")
    thread.user("hello")
    broken = thread.as_dict(current_node="n" * 100_000)
    path = tmp_path / "conversations.json"  # zipped, this inflates more than 100:1
    path.write_text(json.dumps([broken]), encoding="utf-8")
    code, report, err = _import(cli, "chatgpt", path, member)
    assert code == 0, err
    assert report["skipped"] == [
        {"id": "c1", "title": "Lost", "reason": f"current_node {'n' * 60!r}… is not in the mapping"}
    ]

"""Mining: planted patterns are recovered with their constant text, variables and constraints;
one-offs are ignored; ``huddle mine`` and ``huddle mine promote``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from huddle.capture.importers.mining import mine
from huddle.capture.importers.parsed import text_hash
from huddle.capture.models import Pattern
from huddle.library.models import Workflow
from tests.imports.builders import T0, chatgpt_zip, simple_chat

pytestmark = pytest.mark.django_db

POST = "Write a LinkedIn post about {} for {}. Keep it under 120 words and don't use emojis."
FILLS = [("Huddle", "CFOs"), ("Rituals", "marketing leaders"), ("the CRM", "founders"),
         ("Insights", "ops managers")]  # fmt: skip
ONE_OFFS = [
    "What is the capital of Australia?",
    "Translate 'good morning' into Portuguese",
    "Explain quantum tunnelling to a ten year old",
    "Give me a recipe with leeks and lentils",
    "Why is the sky blue at noon and red at dusk?",
]
SUMMARY = "Summarise this call in five bullets, avoid jargon"


def _items(texts):
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [(t, start + timedelta(days=n), text_hash(t)) for n, t in enumerate(texts)]


def test_near_duplicates_become_a_template_with_variables_and_constraints():
    texts = [POST.format(*fill) for fill in FILLS] + ONE_OFFS + [SUMMARY] * 3
    patterns = mine(_items(texts))
    assert [p.size for p in patterns] == [4, 3]
    post = patterns[0]
    assert post.template == (
        "Write a LinkedIn post about {{ topic }} for {{ audience }}. "
        "Keep it under 120 words and don't use emojis."
    )
    by_name = {v["name"]: v for v in post.variables}
    assert set(by_name) == {"topic", "audience"}
    fills = {(e["topic"], e["audience"]) for e in post.examples}
    assert fills == set(FILLS)
    assert post.negative_constraints == ["don't use emojis"]
    assert post.last_used == datetime(2025, 1, 4, tzinfo=UTC)
    exact = patterns[1]
    assert (exact.template, exact.variables, exact.examples) == (SUMMARY, [], [])
    assert exact.negative_constraints == ["avoid jargon"]


def test_one_offs_and_pairs_make_no_pattern():
    texts = [*ONE_OFFS, POST.format("Huddle", "CFOs"), POST.format("Rituals", "founders")]
    assert mine(_items(texts)) == []


def test_exact_repeats_ignore_case_and_spacing():
    texts = [
        "Never use the word synergy",
        "never use the  word synergy",
        "NEVER use the word synergy",
    ]
    [pattern] = mine(_items(texts))
    assert pattern.size == 3
    assert pattern.negative_constraints == ["NEVER use the word synergy"]


def test_braces_in_prompts_stay_literal():
    texts = [f"Fill {{{{name}}}} in this mail for {who} and no emojis" for who in "ABC"]
    [pattern] = mine(_items(texts))
    assert pattern.template.startswith("Fill {{ '{{' }}name}} in this mail for {{ audience }}")


def _import_history(cli, persona, tmp_path):
    chats = [
        simple_chat(f"c{n}", POST.format(*fill), create_time=T0 + n * 86400)
        for n, fill in enumerate(FILLS)
    ] + [simple_chat(f"x{n}", text) for n, text in enumerate(ONE_OFFS)]
    path = chatgpt_zip(tmp_path / f"{persona.user.pk}.zip", chats)
    code, _, err = cli("import", "chatgpt", path, "--org", "acme", "--user", persona.user.email)
    assert code == 0, err


def test_mine_cli_json_and_promote(cli, member, tmp_path):
    _import_history(cli, member, tmp_path)
    code, patterns, err = cli("mine", "--org", "acme", "--user", member.user.email, "--json")
    assert code == 0, err
    assert len(patterns) == 1
    assert set(patterns[0]) == {
        "id", "size", "template", "variables", "examples", "last_used", "negative_constraints"
    }  # fmt: skip
    assert patterns[0]["size"] == 4
    # Mining again keeps the same pattern (same id).
    again = cli("mine", "--org", "acme", "--json")[1]
    assert [p["id"] for p in again] == [patterns[0]["id"]]
    code, out, err = cli(
        "mine", "promote", patterns[0]["id"], "--org", "acme", "--user", member.user.email,
        "--json",
    )  # fmt: skip
    assert code == 0, err
    workflow = Workflow.objects.get(slug=out["slug"])
    assert (workflow.kind, workflow.status, workflow.visibility) == ("prompt", "draft", "private")
    assert workflow.owner == member.user
    version = workflow.versions.get()
    assert [i["name"] for i in version.inputs] == ["topic", "audience"]
    assert version.negative_constraints == "don't use emojis"
    assert Pattern.objects.get().promoted_to == workflow


def test_patterns_are_private_to_their_member(cli, member, admin, tmp_path):
    _import_history(cli, member, tmp_path)
    [pattern] = cli("mine", "--org", "acme", "--user", member.user.email, "--json")[1]
    assert cli("mine", "--org", "acme", "--user", admin.user.email, "--json")[1] == []
    code, _, err = cli(
        "mine", "promote", pattern["id"], "--org", "acme", "--user", admin.user.email
    )
    assert code == 2
    assert "Not found" in err
    assert not Workflow.objects.filter(kind="prompt").exists()

"""Issue 19, item 3: a chosen workflow's negative constraints are brand rules too, on every
surface (service, page, run check, API, CLI), and each finding says which rule it comes from."""

from __future__ import annotations

import json

import pytest

from huddle.brand import rules
from huddle.brand.checker import Ruleset, Term, check
from huddle.brand.services import brand_check, run_brand_check_record
from huddle.cli import run as cli
from huddle.runs.services import Figures, StepRecord, run_record
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

CONSTRAINTS = "No emojis\nNo hashtags in the body\nNever say 'game-changer' or 'revolutionary'"
POST = "Our revolutionary CRM is a game-changer 🚀 #launch #crm\n\nWhat would you automate?"
WORKFLOW = "workflow “LinkedIn post”"


@pytest.fixture
def post(editor):
    return make_workflow(
        editor, title="LinkedIn post", visibility="org",
        content={"negative_constraints": CONSTRAINTS},
    )  # fmt: skip


def _by_rule(findings) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for f in findings:
        found.setdefault(f["rule"] if isinstance(f, dict) else f.rule, []).append(
            f["source"] if isinstance(f, dict) else f.source
        )
    return found


def test_each_constraint_line_maps_to_a_rule_that_remembers_its_line():
    ruleset = rules.with_constraints(Ruleset(), workflow="LinkedIn post", constraints=CONSTRAINTS)
    assert ruleset.emoji
    assert ruleset.hashtags
    quoted = f"{WORKFLOW}: “Never say 'game-changer' or 'revolutionary'”"
    assert Term("game-changer", "avoid", "", quoted) in ruleset.terms
    assert Term("revolutionary", "avoid", "", quoted) in ruleset.terms
    assert dict(ruleset.origins) == {
        "emoji": f"{WORKFLOW}: “No emojis”",
        "hashtag": f"{WORKFLOW}: “No hashtags in the body”",
    }
    assert ruleset.sources == (WORKFLOW,)


@pytest.mark.parametrize(
    ("line", "terms", "ignored"),
    [
        ("No fake urgency ('last chance')", ["last chance"], False),
        ("No 'synergy', no 'leverage'", ["synergy", "leverage"], False),
        ("No superlatives we can't prove ('best', '#1')", ["best", "#1"], False),
        ("Don't say 'we'", [], False),  # a pronoun rule, not the word "we" to avoid
        ("Never invent customer names or numbers", [], True),  # a person has to judge it
    ],
)
def test_quoted_words_become_words_to_avoid(line, terms, ignored):
    ruleset = rules.with_constraints(Ruleset(), workflow="W", constraints=line)
    assert [t.text for t in ruleset.terms] == terms
    assert bool(ruleset.ignored) is ignored


def test_a_workflow_without_constraints_leaves_the_rules_alone():
    base = Ruleset(exclamation=True)
    assert rules.with_constraints(base, workflow="W", constraints="\n \n") is base


def test_the_brand_guide_keeps_its_own_origin_when_both_ask_for_the_same_rule():
    base = Ruleset(emoji=True, origins=(("emoji", "brand guide voice: “Use emoji”"),))
    ruleset = rules.with_constraints(base, workflow="W", constraints="No emojis")
    assert dict(ruleset.origins)["emoji"] == "brand guide voice: “Use emoji”"


def test_a_forbidden_post_no_longer_scores_100_and_says_why(member, post):
    assert brand_check(actor=member.actor, text=POST).report.score == 100
    result = brand_check(actor=member.actor, text=POST, workflow=post.slug)
    assert result.report.score < 100
    by_rule = _by_rule(result.report.findings)
    assert by_rule["emoji"] == [f"{WORKFLOW}: “No emojis”"]
    assert by_rule["hashtag"] == [f"{WORKFLOW}: “No hashtags in the body”"] * 2
    assert len(by_rule["avoid"]) == 2
    assert all(s.startswith(f"{WORKFLOW}: “Never say") for s in by_rule["avoid"])


def test_a_finding_from_the_built_in_lists_says_so():
    report = check("The best tool.", Ruleset(superlatives=True))
    assert [f.source for f in report.findings] == ["built-in superlatives list"]


def test_a_run_is_checked_against_its_own_versions_constraints(member, post):
    stored = run_record(
        actor=member.actor,
        workflow=post,
        version=post.versions.get(),
        inputs={"product": "CRM"},
        steps=[StepRecord("step_1", "Write it", POST)],
        final_text=POST,
        figures=Figures(),
    )
    checked = run_brand_check_record(actor=member.actor, run=stored)
    assert checked.score < 100
    assert f"{WORKFLOW}: “No emojis”" in [f["source"] for f in checked.findings]


def test_the_api_names_each_findings_rule(member, post, api_client):
    response = api_client(member).post(
        "/api/v1/brand/check",
        {"text": POST, "workflow": post.slug},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert _by_rule(response.json()["findings"])["emoji"] == [f"{WORKFLOW}: “No emojis”"]


def test_the_cli_checks_with_the_workflows_rules(owner, post, tmp_path, capsys):
    path = tmp_path / "post.md"
    path.write_text(POST)
    assert cli(["brand", "check", "--org", "acme", "--workflow", post.slug, str(path)]) == 0
    out = capsys.readouterr().out
    assert f"[emoji] No emoji. ({WORKFLOW}: “No emojis”)" in out
    assert "Score 100/100" not in out
    assert cli(["brand", "check", "--org", "acme", "--json", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == 100


def test_the_page_lists_the_rule_of_each_finding(member, post, login):
    client = login(member)
    page = client.post("/o/acme/brand/check/", {"text": POST, "workflow": post.slug})
    html = page.content.decode()
    assert page.status_code == 200
    assert "rule: workflow “LinkedIn post”: “No hashtags in the body”" in html
    assert "Never say &#x27;game-changer&#x27;" in html

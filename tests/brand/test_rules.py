"""Rulesets from context: glossaries, brand-guide lines mapped to checks, who sees what."""

from __future__ import annotations

import pytest

from huddle.brand.checker import Term
from huddle.brand.rules import ruleset_for, ruleset_from_data
from huddle.context import services as context_services
from tests.brand.helpers import BRAND, GLOSSARY, brand_context
from tests.context.helpers import make_asset

pytestmark = pytest.mark.django_db


def test_glossary_terms_become_banned_product_and_preferred_rules(editor, member):
    brand_context(editor)
    ruleset = ruleset_for(member.actor)
    assert ruleset.sources == ("brand_voice v1", "glossary v1")
    terms = {(t.text, t.rule, t.suggestion) for t in ruleset.terms}
    assert ("synergy", "banned", "working together") in terms
    assert ("Acme Insights", "product", "Acme Insights") in terms
    assert ("clients", "preferred", "customers") in terms
    assert ("buyers", "preferred", "customers") in terms


def test_brand_lines_map_to_checks_and_the_rest_is_listed_as_not_checked(editor):
    brand_context(editor)
    ruleset = ruleset_for(editor.actor)
    assert ruleset.exclamation
    assert ruleset.emoji
    assert ruleset.spelling == "uk"
    assert ruleset.max_sentence_words == 20
    origin = "brand guide brand_voice: “Use buzzwords (best-in-class, game-changer)”"
    assert Term("game-changer", "avoid", "", origin) in ruleset.terms
    assert dict(ruleset.origins)["emoji"] == "brand guide brand_voice: “Use emoji”"
    assert ruleset.ignored == ("brand_voice: Do: Say 'you'", "brand_voice: Don't: Use jargon")


@pytest.mark.parametrize(
    ("line", "dont", "expected"),
    [
        ("No exclamation marks!", True, {"exclamation": True}),
        ("Emoji in posts", True, {"emoji": True}),
        ("Superlatives or hype", True, {"superlatives": True}),
        ("Write in the first person", True, {"first_person": True}),
        ("Say 'you' to the reader", True, {"second_person": True}),
        ("Write in US English", False, {"spelling": "us"}),
        ("Aim for grade 8 reading level", False, {"max_grade": 8.0}),
        ("Flesch reading ease above 60", False, {"min_reading_ease": 60.0}),
        ("check: emoji", False, {"emoji": True}),
        ("check: sentence_words 15", False, {"max_sentence_words": 15}),
        ("check: channel linkedin 1300", False, {"channel_limits": (("linkedin", 1300),)}),
        ("Keep tweets under 200 characters", False, {"channel_limits": (("x", 200),)}),
    ],
)
def test_guide_line_mapping(line, dont, expected):
    data = {"do": [] if dont else [line], "dont": [line] if dont else []}
    ruleset = ruleset_from_data([("guide", "brand", 1, data)])
    for key, value in expected.items():
        assert getattr(ruleset, key) == value
    assert ruleset.ignored == ()


def test_an_exclamation_in_a_do_line_is_not_a_ban():
    ruleset = ruleset_from_data([("guide", "brand", 1, {"do": ["Use exclamation marks"]})])
    assert not ruleset.exclamation


def test_only_approved_unarchived_visible_assets_count(editor, member, outsider):
    glossary, _brand = brand_context(editor)
    make_asset(member, "glossary", "draft_words", data={"terms": [
        {"term": "pivot", "kind": "banned", "replacement": "change"}]})  # fmt: skip
    make_asset(editor, "glossary", "private_words", visibility="private", data={"terms": [
        {"term": "disrupt", "kind": "banned", "replacement": "change"}]})  # fmt: skip
    texts = {t.text for t in ruleset_for(member.actor).terms}
    assert "synergy" in texts
    assert "pivot" not in texts  # a member's draft is not approved yet
    assert "disrupt" not in texts  # private to the editor
    assert "disrupt" in {t.text for t in ruleset_for(editor.actor).terms}
    assert ruleset_for(outsider.actor).terms == ()
    context_services.asset_archive(actor=editor.actor, asset=glossary)
    assert "synergy" not in {t.text for t in ruleset_for(member.actor).terms}


def test_a_pending_version_does_not_change_the_rules(editor, member):
    glossary, _brand = brand_context(editor)
    context_services.asset_update(
        actor=editor.actor,
        asset=glossary,
        data={"terms": [{"term": "pivot", "kind": "banned", "replacement": "change"}]},
        draft=True,
    )
    texts = {t.text for t in ruleset_for(member.actor).terms}
    assert "synergy" in texts
    assert "pivot" not in texts


def test_fingerprint_changes_with_the_rules_not_with_their_sources():
    a = ruleset_from_data([("glossary", "glossary", 1, GLOSSARY), ("b", "brand", 1, BRAND)])
    b = ruleset_from_data([("glossary", "glossary", 2, GLOSSARY), ("b", "brand", 3, BRAND)])
    c = ruleset_from_data([("glossary", "glossary", 1, GLOSSARY)])
    assert a.fingerprint == b.fingerprint != c.fingerprint

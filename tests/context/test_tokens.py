"""Token counting works offline and matches tiktoken's published values; budgets give advice."""

from __future__ import annotations

import pytest
import tiktoken.load
import tiktoken.registry

from huddle.context import tokens
from huddle.context.tokens import Block, budget_report, count_tokens, encoding_for


@pytest.fixture
def no_network(monkeypatch):
    """Forget loaded encodings and make any download attempt fail loudly."""

    def refuse(url: str) -> bytes:
        raise AssertionError(f"tiktoken tried to fetch {url}")

    monkeypatch.setattr(tiktoken.load, "read_file", refuse)
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    for name in tokens.ENCODINGS:
        monkeypatch.delitem(tiktoken.registry.ENCODINGS, name, raising=False)
    encoding_for.cache_clear()
    yield
    encoding_for.cache_clear()


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_encodings_load_from_the_shipped_files_without_the_network(no_network, name):
    assert count_tokens("hello world", name) == 2


def test_token_ids_match_the_published_values(no_network):
    # The values tiktoken's own documentation shows for "hello world".
    assert encoding_for("cl100k_base").encode("hello world") == [15339, 1917]
    assert encoding_for("o200k_base").encode("hello world") == [24912, 2375]


def test_known_counts():
    assert count_tokens("") == 0
    assert count_tokens("tiktoken is great!") == 6
    assert count_tokens("<|endoftext|>") > 1  # a special token in user text counts as text


def test_loading_leaves_the_environment_as_it_was(no_network, monkeypatch):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "/somewhere/else")
    count_tokens("x")
    import os

    assert os.environ["TIKTOKEN_CACHE_DIR"] == "/somewhere/else"


def test_unknown_encoding_and_budget_are_refused():
    with pytest.raises(ValueError, match="Unknown encoding"):
        count_tokens("x", "gpt2")
    with pytest.raises(ValueError, match="Unknown budget"):
        budget_report([], "64k")


def test_budget_under_limit_gives_counts_and_no_advice():
    report = budget_report(
        [("Prompt", "template", "hello world"), ("Brand voice", "brand", "tiktoken is great!")],
        "8k",
    )
    assert [b.tokens for b in report.blocks] == [2, 6]
    assert report.total == 8
    assert not report.over
    assert report.remaining == 8192 - 8
    assert report.advice == []


def test_over_budget_suggests_the_summary_for_campaign_data_first_then_the_largest_blocks():
    table = "| channel | clicks |\n" + "| email | 10 |\n" * 3000
    summary = "Clicks: 30,000 across 1 channel."
    long_persona = "word " * 12000
    report = budget_report(
        [
            Block("Prompt", "template", "Write the report."),
            Block("q3_results", "campaign_data", table, alternative=summary),
            Block("persona_cmo", "persona", long_persona),
        ],
        "8k",
    )
    assert report.over
    first = report.advice[0]
    assert (first.label, first.action) == ("q3_results", "use_summary")
    assert "instead of its table" in first.message
    after_summary = report.total - first.saves
    # The summary alone does not fit 8k because of the persona: trimming it is suggested next.
    assert after_summary > 8192
    assert [(a.label, a.action) for a in report.advice[1:]] == [("persona_cmo", "trim")]
    assert report.advice[1].saves == after_summary - 8192

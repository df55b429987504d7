"""Figures in words: counts in the right number, durations in hours (issue 19)."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from huddle.core.numbers import hours_text, plural


def test_plural_counts_one_and_many():
    assert plural(1, "vote") == "1 vote"
    assert plural(0, "vote") == "0 votes"
    assert plural(2_500, "timed run") == "2,500 timed runs"
    assert plural(2, "delivery", "deliveries") == "2 deliveries"


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (1, "1 minute"),
        (45, "45 minutes"),
        (89.6, "90 minutes"),
        (90, "1.5 hours"),
        (385, "6.4 hours"),
        (17_955, "299 hours"),
        (None, "—"),
    ],
)
def test_durations_read_in_hours_past_90_minutes(minutes, text):
    assert hours_text(minutes) == text


def test_the_hours_filter_on_a_page():
    rendered = Template("{% load huddle_tags %}{{ m|hours }}|{{ bad|hours }}").render(
        Context({"m": 17955, "bad": "x"})
    )
    assert rendered == "299 hours|—"

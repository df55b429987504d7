"""Rituals and insights together: asks feed the phases, the spotlight honours opt-outs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from huddle.insights.models import SpotlightOptOut
from huddle.rituals import insights as wiring
from huddle.rituals import services
from huddle.rituals.spotlight import spotlight_for
from tests.rituals.conftest import IN_WEEK, WEEK, run

pytestmark = pytest.mark.django_db


def test_asks_count_per_week_and_anonymous_ones_count_without_an_author(org, member, viewer):
    services.ask_create(actor=member.actor, text="Is there a workflow for press releases?")
    services.ask_create(actor=viewer.actor, text="How do I start?", anonymous=True)
    now = timezone.now()
    counts = wiring.asks_per_week(org, now - timedelta(days=7), now + timedelta(days=1))
    assert sum(counts.values()) == 2
    assert any(user_id == member.user.pk for user_id, _ in counts)
    assert any(user_id == wiring.ANONYMOUS for user_id, _ in counts)
    assert not any(user_id == viewer.user.pk for user_id, _ in counts)


def test_the_spotlight_skips_people_who_opted_out(org, member, editor):
    for _ in range(3):
        run(member, spent=5, baseline=200, when=IN_WEEK)
        run(editor, spent=5, baseline=100, when=IN_WEEK)
    start, end = IN_WEEK - timedelta(days=2), IN_WEEK + timedelta(days=4)
    assert spotlight_for(org, WEEK, start, end).name == member.user.display_name
    SpotlightOptOut.objects.create(membership=member.membership)
    assert spotlight_for(org, WEEK, start, end).name == editor.user.display_name

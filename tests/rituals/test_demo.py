from __future__ import annotations

import pytest

from huddle.demo import load_demo
from huddle.rituals.models import Ask, Digest, Win

pytestmark = pytest.mark.django_db


def test_demo_has_weeks_of_wins_votes_and_asks_and_loads_twice():
    organization = load_demo().organization
    counts = (Win.objects.count(), Ask.objects.count(), Digest.objects.count())
    assert Win.objects.filter(chosen=True).count() == 3
    assert Ask.objects.filter(anonymous=True, author=None).count() == 2
    assert Ask.objects.filter(status="solved").exists()
    assert Digest.objects.filter(organization=organization, status="sent").count() == 1
    load_demo()
    assert (Win.objects.count(), Ask.objects.count(), Digest.objects.count()) == counts

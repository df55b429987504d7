"""The demo captures: three, idempotent, each promotable."""

from __future__ import annotations

import pytest

from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.capture import services
from huddle.capture.models import Capture
from huddle.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_captures_load_once_and_promote_cleanly():
    login = load_demo()
    load_demo()
    captures = Capture.objects.filter(organization=login.organization)
    assert captures.count() == 3
    assert {c.owner.email for c in captures} == {
        "maya@acme.test",
        "adam@acme.test",
        "erin@acme.test",
    }
    maya = captures.get(owner__email="maya@acme.test")
    assert maya.visibility == "private"
    preview = services.promote_preview(maya, [])
    assert {i["name"] for i in preview.as_data()["inputs"]} == {"month", "month_1"}
    for capture in captures:
        actor = Actor(Membership.objects.get(organization=login.organization, user=capture.owner))
        workflow, _ = services.capture_promote(actor=actor, capture=capture, spans=[])
        assert workflow.status == "draft"

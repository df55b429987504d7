"""A member runs a workflow through the team's AI provider and watches the answer stream in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.runs.models import Run
from huddle.runs.providers.fake import FakeProvider
from huddle.runs.providers.registry import override_provider
from huddle.runs.providers.services import ProviderFields, provider_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_direct_run_streams_then_saves(page: Page, live_server):
    load_demo()
    adam = Membership.objects.select_related("user", "organization").get(
        user__email="adam@acme.test", organization__slug="acme"
    )
    provider_create(
        actor=Actor(adam),
        fields=ProviderFields(
            name="Team GPT",
            kind="openai_compatible",
            base_url="https://api.example.test/v1",
            model="gpt-test",
        ),
        api_key="sk-browser-test-000000",
    )
    fake = FakeProvider().enqueue("Headline one. Headline two.")
    with override_provider(lambda config, timeout: fake):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Email").fill("maya@acme.test")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.goto(f"{live_server.url}/o/acme/library/seo-blog-outline/")
        # Issue 19: the inputs typed in "Use it" go along, and the run starts in one click.
        page.get_by_label("Keyword").fill("ai rituals")
        page.get_by_role("button", name="Run it with Team GPT").click()
        page.get_by_role("button", name="Generate").click()
        expect(page.get_by_label("Final text")).to_have_value("Headline one. Headline two.")
        page.get_by_label("Final text").fill("Headline one.")
        page.get_by_label("Minutes it took now").fill("10")
        page.get_by_role("button", name="Save run").click()
        expect(page.get_by_role("status").first).to_contain_text("Run saved.")
    run = Run.objects.get(mode="direct")
    assert (run.status, run.final_text, run.provider) == ("completed", "Headline one.", "Team GPT")
    assert "ai rituals" in fake.prompts[0].messages[-1]["content"]

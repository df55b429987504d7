"""The brand check in the copy-paste run: a banned term in the final text is highlighted with
its suggestion as the member types, they fix it, save, and the run page shows the score."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.library import services
from huddle.library.content import VersionContent
from huddle.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)


def test_final_text_is_checked_highlighted_fixed_and_scored(page: Page, live_server, output_path):
    load_demo()  # acme's glossary bans "synergy" (→ "working together")
    erin = Membership.objects.select_related("user", "organization").get(
        user__email="erin@acme.test", organization__slug="acme"
    )
    services.workflow_create(
        actor=Actor(erin),
        title="Launch teaser",
        kind="prompt",
        visibility="org",
        content=VersionContent.from_data(
            {"steps": ["Write a teaser for {{ product }}."], "inputs": ["product"],
             "required_elements": ["cta"]}
        ),
    )  # fmt: skip
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("maya@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/library/launch-teaser/run/")
    page.get_by_label("Product").fill("Huddle")
    page.get_by_role("button", name="Prepare the prompt").click()
    page.get_by_label("The AI's answer").fill("Huddle brings your team together. Book a demo.")
    page.get_by_role("button", name="Continue").click()

    report = page.locator("#brand-report")
    expect(report).to_contain_text("100")
    page.get_by_label("Final text").fill("Huddle brings synergy to your team. Book a demo.")
    mark = report.locator("mark.brand-blocking")
    expect(mark).to_have_text("synergy")
    expect(report).to_contain_text("→ working together")
    expect(report).to_contain_text("has a banned term")
    page.screenshot(path=str(Path(output_path) / "brand-highlight.png"), full_page=True)

    page.get_by_label("Final text").fill("Huddle gets your team working together. Book a demo.")
    expect(report.locator("mark")).to_have_count(0)
    expect(report.locator(".brand-score")).to_have_text("100")
    page.get_by_label("Minutes it took now").fill("5")
    page.get_by_role("button", name="Save run").click()

    expect(page.get_by_role("region", name="Brand check")).to_contain_text("100 on-brand score")
    run = Run.objects.get(user__email="maya@acme.test", workflow__slug="launch-teaser")
    assert run.brand_check.score == 100
    assert not run.brand_check.blocking


def test_a_workflows_dont_rules_count_and_each_finding_names_its_rule(page: Page, live_server):
    """Issue 19: the demo's LinkedIn workflow forbids emoji, hashtags, "game-changer" and
    "revolutionary"; a post with all four scored 100 when checked against it."""
    load_demo()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("maya@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/o/acme/brand/check/")
    page.get_by_label("Your text").fill(
        "Our revolutionary CRM is a game-changer 🚀 #launch\n\nWhat would you automate?"
    )
    page.get_by_label("Workflow").select_option(label="LinkedIn launch post")
    page.get_by_role("button", name="Check").click()
    report = page.locator(".brand-report")
    expect(report).to_be_visible()
    assert int(report.get_attribute("data-score") or 100) < 100
    findings = page.locator(".brand-findings")
    expect(findings.locator("[data-rule='emoji']")).to_contain_text(
        "rule: workflow “LinkedIn launch post”: “No emojis”"
    )
    expect(findings.locator("[data-rule='hashtag']")).to_contain_text("No hashtags in the body")
    expect(findings.locator("[data-rule='avoid']").first).to_contain_text("“revolutionary”")

"""A member runs a 2-step chain by copy-paste and records what they used and the time it took."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.demo import load_demo
from huddle.library import services
from huddle.library.content import VersionContent
from huddle.runs.models import Run
from tests.browser.test_library import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _shared_workflow(title: str, kind: str, content: dict) -> None:
    """The demo organisation, and a workflow of Erin's (an editor) shared with everyone."""
    load_demo()
    erin = Membership.objects.select_related("user", "organization").get(
        user__email="erin@acme.test", organization__slug="acme"
    )
    services.workflow_create(
        actor=Actor(erin),
        title=title,
        kind=kind,
        visibility="org",
        content=VersionContent.from_data(content),
    )


def test_manual_run_of_a_two_step_chain(page: Page, live_server, output_path: str):
    _shared_workflow(
        "Case study from call notes",
        "chain",
        {
            "steps": [
                {"name": "facts", "template": "List the facts in these notes:\n{{ notes }}"},
                {
                    "name": "story",
                    "template": "Write a case study from:\n{{ steps.facts.output }}",
                },
            ],
            "inputs": [{"name": "notes", "type": "long_text"}],
            "baseline_minutes": 240,
        },
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server.url, "maya@acme.test")
    page.goto(f"{live_server.url}/o/acme/library/case-study-from-call-notes/")
    page.get_by_role("link", name="Run it").click()

    page.get_by_label("Notes").fill("Globex cut reporting time by 80%.")
    page.get_by_role("button", name="Prepare the prompt").click()
    first = page.locator("#p-0")
    expect(first).to_have_text("List the facts in these notes:\nGlobex cut reporting time by 80%.")
    page.locator(".run-step").first.get_by_role("button", name="Copy").click()
    assert page.evaluate("navigator.clipboard.readText()").startswith("List the facts")
    page.get_by_label("The AI's answer to step 1").fill("- Globex\n- 80% faster reports")
    page.get_by_role("button", name="Next step").click()

    expect(page.locator("#p-1")).to_have_text(
        "Write a case study from:\n- Globex\n- 80% faster reports"
    )
    page.get_by_label("The AI's answer to step 2").fill("Globex now reports in minutes.")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_label("Final text")).to_have_value("Globex now reports in minutes.")
    expect(page.get_by_label("Minutes it used to take")).to_have_value("240")
    page.get_by_label("Final text").fill("Globex now reports in minutes, not days.")
    page.get_by_label("Minutes it took now").fill("30")
    page.get_by_label("How good was it?").select_option("5")
    page.get_by_role("button", name="Save run").click()

    expect(page.get_by_role("status").first).to_contain_text("You saved 210 minutes.")
    expect(page.locator(".tiles")).to_contain_text("8.0\u00d7 faster")
    page.screenshot(path=str(Path(output_path) / "run.png"), full_page=True)
    run = Run.objects.get(user__email="maya@acme.test", workflow__slug="case-study-from-call-notes")
    assert [s.output for s in run.steps.all()] == [
        "- Globex\n- 80% faster reports",
        "Globex now reports in minutes.",
    ]
    assert run.edit_ratio > 0


def test_minutes_out_of_range_are_named_beside_the_field_and_nothing_is_lost(
    page: Page, live_server
):
    """Issue 20 (forms): a figure the run cannot take is named under its own field, the
    texts stay as typed, and the run is saved once it is right."""
    _shared_workflow(
        "Tagline",
        "prompt",
        {"steps": ["Write a tagline for {{ product }}."], "inputs": [{"name": "product"}]},
    )
    log_in(page, live_server.url, "maya@acme.test")
    page.goto(f"{live_server.url}/o/acme/library/tagline/run/")
    page.get_by_label("Product").fill("Huddle")
    page.get_by_role("button", name="Prepare the prompt").click()
    page.get_by_label("The AI's answer").fill("Your team's AI, shared.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Final text").fill("Your team's AI know-how, shared.")
    page.get_by_label("Minutes it took now").fill("20000")
    page.get_by_role("button", name="Save run").click()

    expect(page.get_by_role("alert")).to_contain_text("Check the run.")
    beside = page.locator(".field", has=page.get_by_label("Minutes it took now"))
    expect(beside.locator("p.error")).to_have_text(
        "Time spent must be between 0 and 10080 minutes."
    )
    expect(page.get_by_label("Final text")).to_have_value("Your team's AI know-how, shared.")
    expect(page.get_by_label("Minutes it took now")).to_have_value("20000")
    assert not Run.objects.filter(workflow__slug="tagline").exists()

    page.get_by_label("Minutes it took now").fill("5")
    page.get_by_role("button", name="Save run").click()
    expect(page.get_by_role("status").first).to_contain_text("Run saved.")
    run = Run.objects.get(workflow__slug="tagline")
    assert (run.final_text, run.minutes_spent) == ("Your team's AI know-how, shared.", 5)

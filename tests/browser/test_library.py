"""Create a workflow, share it, and watch a colleague find it, fill it in and copy the prompt."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.library.models import Workflow

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_create_publish_find_fill_and_copy(
    page: Page, browser: Browser, live_server, output_path: str
):
    load_demo()
    base = live_server.url
    log_in(page, base, "erin@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_role("link", name="New workflow").click()

    page.get_by_label("Title").fill("Event recap post")
    page.get_by_label("Prompt").fill(
        "Write a recap of {{ event }} for {{ channel }}. Mention one surprising moment."
    )
    page.get_by_role("button", name="+ Add input").click()
    page.locator("#input_name_0").fill("event")
    page.get_by_role("button", name="+ Add input").click()
    page.locator("#input_name_1").fill("channel")
    page.locator("#input_type_1").select_option("choice")
    page.locator("#input_choices_1").fill("LinkedIn, Newsletter")
    expect(page.locator("#validation")).to_contain_text("Looks good")
    page.get_by_role("button", name="Save workflow").click()
    expect(page.get_by_role("status").first).to_contain_text("saved as version 1")

    # Publish to the whole organisation.
    page.get_by_label("Who can see it").select_option("org")
    page.get_by_role("button", name="Save sharing").click()
    expect(page.get_by_role("status").first).to_contain_text("everyone in the organisation")
    assert Workflow.objects.get(slug="event-recap-post").visibility == "org"

    # A second member finds it by searching as they type.
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    other = context.new_page()
    log_in(other, base, "max@acme.test")
    other.goto(f"{base}/o/acme/library/")
    other.get_by_role("searchbox", name="Search").press_sequentially("recap", delay=30)
    results = other.locator("#results")
    expect(results.get_by_role("link", name="Event recap post")).to_be_visible()
    expect(results).not_to_contain_text("LinkedIn launch post")
    results.get_by_role("link", name="Event recap post").click()

    other.get_by_label("Event").fill("the Spring Summit")
    other.get_by_label("Channel").select_option("Newsletter")
    other.get_by_role("button", name="Show the prompt").click()
    prompt = other.locator("#rendered pre.prompt")
    expect(prompt).to_have_text(
        "Write a recap of the Spring Summit for Newsletter. Mention one surprising moment."
    )
    other.get_by_role("button", name="Copy everything").click()
    expect(other.get_by_text("Copied to the clipboard.")).to_be_visible()
    copied = other.evaluate("navigator.clipboard.readText()")
    assert (
        copied
        == "Write a recap of the Spring Summit for Newsletter. Mention one surprising moment."
    )
    other.screenshot(path=str(Path(output_path) / "workflow.png"), full_page=True)
    context.close()


def test_a_missing_input_is_named_on_the_page(page: Page, live_server):
    load_demo()
    log_in(page, live_server.url, "maya@acme.test")
    page.goto(f"{live_server.url}/o/acme/library/campaign-brief/")
    page.get_by_label("Campaign").fill("Autumn push")
    page.locator("#in_goal").evaluate("el => el.removeAttribute('required')")
    page.get_by_role("button", name="Show the prompt").click()
    expect(page.locator("#rendered")).to_contain_text("Business goal is required.")


def test_inputs_typed_once_follow_to_run_it_and_the_assembly(page: Page, live_server):
    """Issue 19: "Use it", "Run it" and "Assembly preview" each started empty."""
    load_demo()
    base = live_server.url
    log_in(page, base, "maya@acme.test")
    page.goto(f"{base}/o/acme/library/linkedin-launch-post/")
    page.get_by_label("Product or feature").fill("Orbit CRM")
    page.get_by_label("Proof point").fill("Teams save 3 hours a week")
    page.get_by_role("link", name="Assembly preview").click()
    expect(page.get_by_label("Product or feature")).to_have_value("Orbit CRM")
    expect(page.locator("#assembly")).to_contain_text("Orbit CRM")
    page.get_by_role("link", name="Run it").click()
    expect(page.get_by_label("Product or feature")).to_have_value("Orbit CRM")
    page.get_by_label("Who it's for").fill("CFOs")
    page.get_by_role("link", name="Assembly preview").click()
    expect(page.get_by_label("Who it's for")).to_have_value("CFOs")
    expect(page.get_by_label("Product or feature")).to_have_value("Orbit CRM")


def test_insert_input_buttons_put_the_syntax_at_the_cursor(page: Page, live_server):
    load_demo()
    log_in(page, live_server.url, "erin@acme.test")
    page.goto(f"{live_server.url}/o/acme/library/new/")
    bar = page.get_by_role("group", name="Insert an input")
    expect(bar).to_contain_text("name an input below first")
    page.get_by_role("button", name="+ Add input").click()
    page.locator("#input_name_0").fill("product")
    page.get_by_role("button", name="+ Add input").click()
    page.locator("#input_name_1").fill("audience")
    expect(bar.get_by_role("button")).to_have_count(2)
    prompt = page.get_by_label("Prompt")
    prompt.fill("Write about  for busy people.")
    prompt.focus()
    page.evaluate("document.getElementById('step_template_0').setSelectionRange(12, 12)")
    bar.get_by_role("button", name="Insert the input product").click()
    expect(prompt).to_have_value("Write about {{ product }} for busy people.")
    # A renamed input renames its button.
    page.locator("#input_name_1").fill("reader")
    expect(bar.get_by_role("button", name="Insert the input reader")).to_be_visible()
    expect(bar.get_by_role("button", name="Insert the input audience")).to_have_count(0)

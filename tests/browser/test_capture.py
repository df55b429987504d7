"""A member captures a messy two-step workflow, promotes it with one selected input, and lands on
the new draft workflow with that input in its form."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.capture.models import Capture
from huddle.demo import load_demo
from huddle.library.models import Workflow
from tests.browser.test_library import log_in

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "write a linkedin post about Huddle for marketing leaders, no emojis {{ keep braces }}"
SECOND = "now make it shorter and add a question at the end"


def select_in(page: Page, selector: str, text: str) -> None:
    """Select ``text`` inside a textarea, as a person dragging the mouse would."""
    page.locator(selector).evaluate(
        """(el, text) => { const start = el.value.indexOf(text); el.focus();
           el.setSelectionRange(start, start + text.length);
           el.dispatchEvent(new Event('select')); }""",
        text,
    )


def test_capture_a_messy_workflow_and_promote_it(page: Page, live_server, output_path: str):
    load_demo()
    base = live_server.url
    log_in(page, base, "max@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Capture").click()
    page.get_by_role("link", name="Capture a workflow").click()

    page.get_by_label("Give it a short name").fill("Launch post for LinkedIn")
    page.get_by_label("What were you trying to do?").fill("Announce a launch on LinkedIn")
    page.get_by_label("Which tool?").select_option("chatgpt")
    page.locator("#step_text_0").fill(FIRST)
    page.get_by_role("button", name="+ Add the next prompt").click()
    page.locator("#step_text_1").fill(SECOND)
    page.get_by_label("What did you tell it NOT to do?").fill("No emojis")
    page.get_by_label("How long did this take before AI?").fill("45")
    page.get_by_label("And now, with AI?").fill("10")
    page.get_by_role("button", name="Save capture").click()
    expect(page.get_by_role("status").first).to_contain_text("Only you can see it")
    capture = Capture.objects.get(title="Launch post for LinkedIn")
    assert len(capture.steps) == 2

    page.get_by_role("link", name="Promote").click()
    expect(page.get_by_role("heading", name="Promote to a workflow")).to_be_visible()
    select_in(page, "#promote-step-0", "Huddle")
    page.get_by_label("Name of the input").fill("product")
    page.get_by_role("button", name="Make it an input").click()
    preview = page.locator("#preview")
    expect(preview.locator("[data-preview-step='0']")).to_contain_text(
        "about {{ product }} for marketing leaders"
    )
    expect(preview).to_contain_text("you selected it")
    page.screenshot(path=str(Path(output_path) / "promote.png"), full_page=True)
    page.get_by_role("button", name="Promote to workflow").click()

    expect(page.get_by_role("status").first).to_contain_text("is a draft workflow")
    workflow = Workflow.objects.get(title="Launch post for LinkedIn")
    assert page.url.endswith(f"/o/acme/library/{workflow.slug}/")
    field = page.get_by_label("Product")
    expect(field).to_have_value("Huddle")
    field.fill("Rituals")
    page.get_by_role("button", name="Show the prompt").click()
    expect(page.locator("#rendered")).to_contain_text(
        "write a linkedin post about Rituals for marketing leaders, no emojis {{ keep braces }}"
    )
    page.screenshot(path=str(Path(output_path) / "workflow.png"), full_page=True)
    assert (workflow.kind, workflow.status, workflow.visibility) == ("chain", "draft", "private")


def test_rename_an_inferred_input_in_the_preview_before_promoting(page: Page, live_server):
    """Issue 19: the demo capture's two examples differ in the webinar's title; the preview
    names it, the member renames it, and the workflow gets the new name."""
    load_demo()
    capture = Capture.objects.get(title="Webinar follow-up emails")
    log_in(page, live_server.url, "erin@acme.test")
    page.goto(f"{live_server.url}/o/acme/captures/{capture.public_id}/promote/")
    field = page.get_by_label("Name of the input for “Rituals that make AI stick”")
    expect(field).to_have_value("webinar")
    field.fill("webinar_title")
    field.press("Tab")  # a change updates the preview
    expect(page.locator("[data-preview-step='0']")).to_contain_text("'{{ webinar_title }}'")
    page.get_by_role("button", name="Promote to workflow").click()
    expect(page.get_by_role("status").first).to_contain_text("is a draft workflow")
    workflow = Workflow.objects.filter(owner__email="erin@acme.test").latest("created_at")
    assert [i["name"] for i in workflow.versions.get().inputs] == ["webinar_title"]


def test_pick_team_context_in_the_capture_form(page: Page, live_server):
    """Issue 19: the capture form lists the team's context to tick instead of typing slugs; a
    ticked asset and a typed one both end up on the capture."""
    load_demo()
    base = live_server.url
    log_in(page, base, "max@acme.test")
    page.goto(f"{base}/o/acme/captures/new/")
    picker = page.get_by_role("group", name="Pick from your team's context")
    picker.get_by_label("Acme brand voice").check()
    page.get_by_label("Team context it used").fill("glossary")
    page.get_by_label("Give it a short name").fill("Brand-safe product blurb")
    page.get_by_label("What were you trying to do?").fill("A product blurb in our voice")
    page.locator("#step_text_0").fill("Write a 50-word blurb about {{ product }}")
    page.get_by_role("button", name="Save capture").click()

    expect(page.get_by_role("status").first).to_contain_text("Only you can see it")
    capture = Capture.objects.get(title="Brand-safe product blurb")
    assert sorted(capture.context_slugs) == ["brand_voice", "glossary"]
    context = page.get_by_role("heading", name="Context given").locator("xpath=..")
    expect(context).to_contain_text("brand_voice")
    expect(context).to_contain_text("glossary")

"""A member nominates a win, votes for it (HTMX, in place) and reads the latest digest; an admin
edits this week's draft digest."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from huddle.accounts.models import Visibility
from huddle.demo import load_demo
from huddle.library.models import Workflow
from huddle.rituals.config import settings_for
from huddle.rituals.models import Win
from huddle.rituals.services import week_now
from tests.browser.test_library import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_nominate_vote_and_read_the_digest(
    page: Page, browser: Browser, live_server, output_path: str
):
    organization = load_demo().organization
    taken = Win.objects.filter(organization=organization, iso_week=week_now(organization))
    workflow = (
        Workflow.objects.filter(organization=organization, visibility=Visibility.ORG)
        .exclude(pk__in=taken.exclude(workflow=None).values("workflow"))
        .order_by("title")
        .first()
    )
    base = live_server.url
    log_in(page, base, "max@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Wins").click()
    expect(page.get_by_role("heading", name="AI Win of the Week")).to_be_visible()
    page.get_by_label("What saved the time?").select_option(f"workflow:{workflow.public_id}")
    page.get_by_label("The story, in one line").fill("Our launch emails in 20 minutes")
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_role("status").first).to_contain_text("Nominated")

    win = Win.objects.get(organization=organization, workflow=workflow, iso_week=taken[0].iso_week)
    card = page.locator(f"[data-win='{win.public_id}']")
    expect(card).to_contain_text("Our launch emails in 20 minutes")
    card.get_by_role("button", name="Vote").click()
    # HTMX swapped the candidates in place: the vote moved to this card.
    expect(card.get_by_text("Your vote")).to_be_visible()
    expect(card).to_contain_text("1 vote")
    assert page.url.endswith("/o/acme/wins/")
    page.screenshot(path=str(Path(output_path) / "wins.png"), full_page=True)

    page.get_by_role("link", name="Latest digest").click()
    digest = page.get_by_role("article", name="Digest")
    expect(digest.get_by_role("heading", name="The 15-minute agenda")).to_be_visible()
    expect(digest).to_contain_text("Live demo")
    expect(page.get_by_label("Markdown")).to_have_count(0)  # members only read

    admin = browser.new_page()
    log_in(admin, base, "adam@acme.test")
    admin.goto(f"{base}/o/acme/wins/")
    admin.get_by_role("link", name="This week's digest").click()
    expect(admin.get_by_role("heading", name="Edit before sending")).to_be_visible()
    admin.get_by_label("Markdown").fill("# Our week\n\nThe launch emails **won**.")
    admin.get_by_role("button", name="Save draft").click()
    expect(admin.get_by_role("article", name="Digest").locator("strong")).to_have_text("won")
    admin.close()


def test_the_digest_names_the_win_picked_after_it_was_opened(page: Page, live_server):
    """Issue 19: open the digest (its draft is made), pick the win, come back and send: what
    is read and sent names the winner, and this week's figures say they are "so far"."""
    load_demo()
    base = live_server.url
    log_in(page, base, "adam@acme.test")
    page.goto(f"{base}/o/acme/wins/")
    page.get_by_role("link", name="This week's digest").click()
    article = page.get_by_role("article", name="Digest")
    expect(article).to_contain_text("saved so far this week")
    expect(article).not_to_contain_text("1 votes")

    page.goto(f"{base}/o/acme/wins/")
    card = page.locator("[data-win]").filter(has=page.get_by_role("button", name="Pick as the win"))
    title = card.first.get_by_role("heading", level=3).inner_text().strip()
    card.first.get_by_role("button", name="Pick as the win").click()
    expect(page.get_by_role("status").first).to_contain_text("is the Win of the Week")

    page.get_by_role("link", name="This week's digest").click()
    expect(article.get_by_role("heading", name=f"🏆 The Win of the Week: {title}")).to_be_visible()
    page.get_by_role("button", name="Send the digest").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent:")
    expect(article.get_by_role("heading", name=f"The Win of the Week: {title}")).to_be_visible()


def test_a_bad_schedule_is_named_next_to_its_field_and_the_rest_stays(page: Page, live_server):
    """Issue 20 (forms): a time zone that does not exist is refused beside the field, what was
    typed elsewhere stays on the page, and nothing is saved until it is right."""
    organization = load_demo().organization
    base = live_server.url
    log_in(page, base, "adam@acme.test")
    page.goto(f"{base}/o/acme/wins/settings/")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_label("Draft on").select_option("Tuesday")
    page.get_by_label("Draft time").fill("10:30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Check the fields below.")).to_be_visible()
    error = page.locator("#timezone + p.error")
    expect(error).to_have_text("Unknown time zone.")
    expect(page.get_by_label("Time zone")).to_have_value("Mars/Olympus")
    expect(page.get_by_label("Draft on")).to_have_value("1")
    expect(page.get_by_label("Draft time")).to_have_value("10:30")
    assert settings_for(organization).timezone != "Mars/Olympus"
    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Ritual settings saved.")
    expect(page.get_by_label("Draft on")).to_have_value("1")
    saved = settings_for(organization)
    assert (saved.timezone, saved.draft_weekday, saved.draft_time.strftime("%H:%M")) == (
        "Europe/Paris", 1, "10:30",
    )  # fmt: skip

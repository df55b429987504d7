"""An owner opens Insights on the demo: charts are drawn, the members table sorts, CSV downloads."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from huddle.demo import DEMO_PASSWORD, load_demo
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_insights_dashboard_draws_charts_sorts_members_and_exports_csv(
    page: Page, live_server, output_path: str
):
    load_demo()
    log_in(page, live_server.url, "olivia@acme.test", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    # Analysts read a sentence first; the Gini and Lorenz curve wait behind a disclosure.
    expect(page.locator("#summary")).to_contain_text("of the AI work")
    expect(page.locator("#summary")).to_contain_text("saved in the 8 weeks to")
    expect(page.get_by_text("The Gini coefficient measures")).to_be_hidden()
    page.get_by_text("How this is computed").click()
    expect(page.get_by_text("The Gini coefficient measures")).to_be_visible()
    # Polled with evaluate(): wait_for_function evaluates strings, which the page's CSP forbids.
    deadline = time.monotonic() + 15
    while not page.evaluate("Object.keys(window.huddleCharts || {}).length >= 4"):
        assert time.monotonic() < deadline, "the charts were not drawn"
        page.wait_for_timeout(100)
    for chart in ("chart-adoption", "chart-minutes", "chart-lorenz", "chart-phases"):
        page.wait_for_timeout(200)  # a chart shown by opening its <details> redraws on resize
        drawn = page.evaluate(
            """id => {
                const c = document.getElementById(id);
                const chart = window.huddleCharts[id];
                const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let ink = 0;
                for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
                return {instance: !!chart && chart.canvas === c, ink: ink};
            }""",
            chart,
        )
        assert drawn["instance"], chart
        assert drawn["ink"] > 100, chart
    # The phase timeline shows change: one span per run of a phase, listed with its dates.
    spans = page.evaluate("window.huddleCharts['chart-phases'].data.datasets.map(d => d.phase)")
    assert spans
    assert all(a != b for a, b in itertools.pairwise(spans))
    expect(page.locator("#phase-spans li")).to_have_count(len(spans))
    # The week in progress is marked as partial (a paler bar, "so far"), not drawn as a collapse.
    week = page.evaluate(
        """() => {
            const data = document.getElementById('insights-data');
            const partial = JSON.parse(data.textContent).partial;
            const chart = window.huddleCharts['chart-minutes'];
            const labels = chart.data.labels, colours = chart.data.datasets[0].backgroundColor;
            return {partial, label: labels[labels.length - 1],
                    last: colours[labels.length - 1], first: colours[0]};
        }"""
    )
    assert ("days so far" in week["label"]) == week["partial"]
    assert (week["last"] != week["first"]) == week["partial"]
    expect(page.get_by_role("heading", name="Power users")).to_be_visible()
    page.screenshot(path=str(Path(output_path) / "insights.png"), full_page=True)

    page.get_by_role("navigation", name="Insights").get_by_role("link", name="Members").click()
    page.screenshot(path=str(Path(output_path) / "members.png"), full_page=True)
    table = page.locator("#members-table")
    runs = table.locator("thead th").nth(3).locator("button")
    expect(runs).to_have_text("Runs")
    runs.click()  # ascending
    runs.click()  # descending: the most active member first
    expect(table.locator("thead th").nth(3)).to_have_attribute("aria-sort", "descending")
    values = table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    numbers = [int(v) for v in values]
    assert numbers == sorted(numbers, reverse=True)
    assert numbers[0] > 0
    first = table.locator("tbody tr").first.locator("td").first.inner_text()
    assert "Erin" in first or "Adam" in first

    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("insights-members-acme-")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert content.startswith("email,name,role,runs")
    assert "erin@acme.test" in content


def test_a_new_organisation_sees_what_to_do_not_empty_charts_on_a_phone(page: Page, live_server):
    from huddle.accounts.models import Role
    from tests.factories import PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

    org = OrganizationFactory(slug="fresh", name="Fresh Co")
    owner = UserFactory(email="new@fresh.test")
    MembershipFactory(organization=org, user=owner, role=Role.OWNER)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "new@fresh.test", PASSWORD)
    page.goto(f"{live_server.url}/o/fresh/insights/")
    empty = page.get_by_role("region", name="Nothing to measure yet")
    expect(empty).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("None of the 1 person here recorded")
    expect(page.get_by_text("of 1 member used AI")).to_be_visible()
    assert page.locator("canvas").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    empty.get_by_role("link", name="Import a usage report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Usage reports")

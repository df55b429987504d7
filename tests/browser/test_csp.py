"""Every main page works under the Content-Security-Policy: no inline script or style is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from huddle.demo import DEMO_PASSWORD, load_demo
from huddle.library.models import Workflow
from huddle.runs.models import Run

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_raise_no_csp_violations(page: Page, live_server):
    load_demo()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy violation: ' + e.violatedDirective + ' ' "
        "+ e.blockedURI))"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill("olivia@acme.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    workflow = Workflow.objects.get(slug="campaign-brief")
    run = Run.objects.filter(user__email="olivia@acme.test").first()
    paths = [
        "/o/acme/", "/o/acme/library/", f"/o/acme/library/{workflow.slug}/",
        "/o/acme/library/new/", "/o/acme/library/new/paste/",
        f"/o/acme/library/{workflow.slug}/edit/", f"/o/acme/library/{workflow.slug}/assembly/",
        f"/o/acme/library/{workflow.slug}/run/", "/o/acme/runs/",
        f"/o/acme/runs/{run.public_id}/", "/o/acme/captures/", "/o/acme/captures/new/",
        "/o/acme/context/", "/o/acme/insights/", "/o/acme/insights/members/",
        "/o/acme/insights/flow/", "/o/acme/members/", "/o/acme/teams/", "/o/acme/settings/",
        "/o/acme/settings/tokens/", "/o/acme/activity/", "/o/acme/brand/check/",
        "/o/acme/settings/providers/", "/o/acme/wins/", "/o/acme/asks/",
        "/o/acme/captures/import/", "/o/acme/captures/patterns/",
    ]  # fmt: skip
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    # Behaviour that used to be inline still works: the editor adds a row.
    page.goto(f"{live_server.url}/o/acme/library/new/")
    page.get_by_role("button", name="+ Add input").click()
    assert page.locator("#input_name_0").is_visible()
    assert violations == []

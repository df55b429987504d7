"""Issue 19, item 8: the API docs come from the app's own static files, and the brand check is
in the main menu."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_the_api_docs_use_the_apps_own_swagger_files(client):
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_the_brand_check_is_in_the_main_menu(member, login):
    html = login(member).get("/o/acme/").content.decode()
    nav = html.split('aria-label="Main"')[1].split("</nav>")[0]
    assert 'href="/o/acme/brand/check/">Brand check</a>' in nav

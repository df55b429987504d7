"""The "Check my text" page, its HTMX fragment, and the brand check in the copy-paste run."""

from __future__ import annotations

import pytest

from huddle.library.models import WorkflowVersion
from huddle.runs.models import Run
from tests.brand.helpers import brand_context
from tests.factories import make_workflow

pytestmark = pytest.mark.django_db

URL = "/o/acme/brand/check/"


def test_the_page_lists_what_is_checked_and_what_is_not(editor, member, login):
    brand_context(editor)
    page = login(member).get(URL)
    assert page.status_code == 200
    assert b"Check my text" in page.content
    assert b"Not checked automatically" in page.content
    assert b"Use jargon" in page.content
    assert b'value="linkedin"' in page.content


def test_checking_shows_the_score_highlights_and_suggestions(editor, member, login):
    brand_context(editor)
    page = login(member).post(URL, {"text": "We love synergy.\n`synergy` stays."})
    html = page.content.decode()
    assert 'data-score="80"' in html
    assert '<mark class="brand-blocking" data-rule="banned"' in html
    assert "→ working together" in html
    assert html.count("<mark") == 1  # the code span is not marked


def test_the_htmx_request_gets_only_the_fragment(editor, member, login):
    brand_context(editor)
    client = login(member)
    fragment = client.post(URL, {"final_text": "Synergy!"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"brand-blocking" in fragment.content
    assert b"brand-warning" in fragment.content  # the exclamation mark


def test_text_is_escaped_in_the_highlight(member, login):
    page = login(member).post(URL, {"text": "<script>alert(1)</script>"})
    assert b"<script>alert(1)</script>" not in page.content


def test_without_context_the_page_says_where_to_add_it(member, login):
    page = login(member).post(URL, {"text": "Anything."})
    assert b"No approved glossary or brand guide yet" in page.content


def test_a_viewer_may_check_text(editor, viewer, login):
    brand_context(editor)
    page = login(viewer).post(URL, {"text": "synergy"})
    assert page.status_code == 200
    assert b"brand-blocking" in page.content


def test_an_outsider_gets_404_and_an_anonymous_visitor_the_login(outsider, login, client, org):
    assert login(outsider).get(URL).status_code == 404
    assert login(outsider).post(URL, {"text": "x"}).status_code == 404
    assert client.get(URL).status_code == 302


def test_an_unknown_channel_is_explained(member, login):
    page = login(member).post(URL, {"text": "Hi", "channel": "fax"})
    assert b"Unknown channel" in page.content


def test_an_invisible_workflow_is_404(editor, member, login):
    secret = make_workflow(editor, title="Secret")
    assert login(member).post(URL, {"text": "Hi", "workflow": secret.slug}).status_code == 404


def test_the_context_index_links_to_the_brand_check(member, login):
    assert URL.encode() in login(member).get("/o/acme/context/").content


def test_saving_a_run_stores_its_brand_check_and_the_run_page_shows_it(editor, member, login):
    brand_context(editor)
    workflow = make_workflow(editor, title="Post", visibility="org", inputs=[],
                             steps=["Write a post."],
                             content={"required_elements": ["cta"]})  # fmt: skip
    client = login(member)
    url = f"/o/acme/library/{workflow.slug}/run/"
    final = client.post(url, {"action": "next", "out_0": "Synergy rocks."})
    assert b'hx-post="/o/acme/brand/check/"' in final.content
    saved = client.post(
        url, {"action": "save", "out_0": "Synergy rocks.", "final_text": "Synergy rocks."}
    )
    run = Run.objects.get()
    assert saved.status_code == 302
    assert run.brand_check.blocking
    assert run.brand_check.score == 100 - 20 - 5
    detail = client.get(f"/o/acme/runs/{run.public_id}/")
    assert b"on-brand score" in detail.content
    assert b"Synergy" in detail.content


def test_the_library_editor_saves_and_prefills_required_elements(member, login):
    client = login(member)
    response = client.post(
        "/o/acme/library/new/",
        {
            "title": "Teaser",
            "kind": "prompt",
            "visibility": "private",
            "step_name_0": "step_1",
            "step_template_0": "Write a teaser.",
            "required_elements": "cta, question_end,max_words:60",
        },
    )
    assert response.status_code == 302
    version = WorkflowVersion.objects.get(workflow__slug="teaser")
    assert version.required_elements == ["cta", "question_end", "max_words:60"]
    editor_page = client.get("/o/acme/library/teaser/edit/")
    assert b'value="cta, question_end, max_words:60"' in editor_page.content


def test_a_channel_name_past_its_length_is_named_and_nothing_is_checked(editor, member, login):
    brand_context(editor)
    page = login(member).post(URL, {"text": "We love synergy.", "channel": "x" * 101})
    html = page.content.decode()
    assert "Check what you sent. Channel: Ensure this value has at most 100 characters " in html
    assert "data-score" not in html
    assert html.count("Ensure this value") == 1  # said once, not again in a list below


def test_the_run_flows_compact_report_leaves_out_the_sources(editor, member, login):
    brand_context(editor)
    client = login(member)
    headers = {"HX-Request": "true"}
    full = client.post(URL, {"final_text": "Hello team."}, headers=headers)
    compact = client.post(URL, {"final_text": "Hello team.", "compact": "1"}, headers=headers)
    assert b"Checked against" in full.content
    assert b"data-score" in compact.content
    assert b"Checked against" not in compact.content


def test_a_link_prefills_the_text_and_channel(editor, member, login):
    brand_context(editor)
    page = login(member).get(URL, {"text": "Draft copy", "channel": "linkedin"})
    html = page.content.decode()
    assert ">Draft copy</textarea>" in html
    assert '<option value="linkedin" selected>' in html

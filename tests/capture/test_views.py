"""Capture pages over HTTP: the form, the list, a capture's page, sharing, promoting."""

from __future__ import annotations

import pytest

from huddle.capture.models import Capture
from huddle.library.models import Workflow
from tests.capture.helpers import TWO_EXAMPLES, make_capture

pytestmark = pytest.mark.django_db


def _url(capture: Capture, suffix: str = "") -> str:
    return f"/o/acme/captures/{capture.public_id}/{suffix}"


def test_the_form_asks_in_plain_words(member, login):
    page = login(member).get("/o/acme/captures/new/")
    assert page.status_code == 200
    for question in (
        "What were you trying to do?",
        "Which tool?",
        "Paste each prompt exactly as you typed it",
        "Paste another example of the same prompt (optional)",
        "What context did you give it?",
        "What did you tell it NOT to do?",
        "What did you still fix by hand?",
        "How long did this take before AI?",
        "Where did it go wrong?",
    ):
        assert question in page.content.decode()


def test_capture_a_two_step_workflow_with_an_example(member, login):
    client = login(member)
    response = client.post(
        "/o/acme/captures/new/",
        {
            "title": "Monthly report",
            "goal": "Summarise the month",
            "tool": "claude",
            "step_text_0": "Summarise May for the board",
            "step_example_0": "Summarise June for the board",
            "step_text_1": "Shorter please",
            "step_example_1": "",
            "context_slugs": "brand_voice",
            "minutes_before": "120",
            "minutes_after": "20",
            "failures": "Made up numbers",
        },
    )
    capture = Capture.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(capture)
    assert capture.steps == [
        {"text": "Summarise May for the board", "examples": ["Summarise June for the board"]},
        {"text": "Shorter please", "examples": []},
    ]
    assert (capture.tool, capture.minutes_before, capture.context_slugs) == (
        "claude",
        120,
        ["brand_voice"],
    )
    page = client.get(_url(capture))
    assert b"Made up numbers" in page.content
    assert b"Promote" in page.content


def test_form_problems_are_shown_and_what_was_typed_is_kept(member, login):
    response = login(member).post(
        "/o/acme/captures/new/",
        {"title": "", "step_text_0": "My {{ prompt", "minutes_before": "lots"},
    )
    assert response.status_code == 200
    assert b"Give it a short title." in response.content
    assert b"Give a whole number of minutes." in response.content
    assert b"My {{ prompt" in response.content
    assert not Capture.objects.exists()


def test_edit_a_capture(member, login):
    capture = make_capture(member)
    client = login(member)
    assert b"Launch post routine" in client.get(_url(capture, "edit/")).content
    response = client.post(
        _url(capture, "edit/"), {"title": "Renamed", "tool": "gemini", "step_text_0": "New prompt"}
    )
    assert response.status_code == 302
    capture.refresh_from_db()
    assert (capture.title, capture.tool, capture.steps[0]["text"]) == (
        "Renamed",
        "gemini",
        "New prompt",
    )


def test_index_lists_mine_and_shared_with_me(member, editor, login):
    mine = make_capture(member, title="Mine")
    make_capture(editor, title="Editor private")
    make_capture(editor, title="Editor shared", visibility="org")
    page = login(member).get("/o/acme/captures/").content.decode()
    assert mine.title in page
    assert "Editor shared" in page
    assert "Editor private" not in page
    assert "Shared with you" in page


def test_navigation_links_to_capture(member, login):
    assert b'href="/o/acme/captures/"' in login(member).get("/o/acme/library/").content


def test_private_captures_are_404_to_everyone_else(member, personas, login):
    capture = make_capture(member)
    for name in ("owner", "admin", "editor", "viewer", "outsider"):
        client = login(personas[name])
        for suffix in ("", "edit/", "promote/"):
            assert client.get(_url(capture, suffix)).status_code == 404, (name, suffix)
        assert client.post(_url(capture, "share/"), {"visibility": "org"}).status_code in (403, 404)
    assert Capture.objects.get().visibility == "private"


def test_outsiders_get_404_even_for_shared_captures(member, outsider, login):
    capture = make_capture(member, visibility="org")
    client = login(outsider)
    assert client.get("/o/acme/captures/").status_code == 404
    assert client.get(_url(capture)).status_code == 404
    assert client.post(_url(capture, "delete/")).status_code == 404


def test_viewers_see_shared_captures_but_cannot_capture_or_promote(member, viewer, login):
    capture = make_capture(member, visibility="org")
    client = login(viewer)
    assert client.get(_url(capture)).status_code == 200
    assert b"Promote" not in client.get(_url(capture)).content
    assert client.get("/o/acme/captures/new/").status_code == 403
    assert client.get(_url(capture, "promote/")).status_code == 403


def test_share_and_delete(member, editor, login):
    capture = make_capture(member)
    client = login(member)
    response = client.post(_url(capture, "share/"), {"visibility": "org"})
    assert response.status_code == 302
    assert login(editor).get(_url(capture)).status_code == 200
    assert client.post(_url(capture, "delete/")).status_code == 302
    assert not Capture.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(member, client):
    capture = make_capture(member)
    response = client.get(_url(capture))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_promote_page_previews_inferred_inputs(member, login):
    capture = make_capture(member, steps=[TWO_EXAMPLES])
    page = login(member).get(_url(capture, "promote/")).content.decode()
    assert "Write a LinkedIn post about our {{ topic }} for {{ audience }}" in page
    assert "differs between your examples" in page


def test_live_preview_shows_selected_spans_and_problems(member, login):
    capture = make_capture(member)
    client = login(member)
    fragment = client.post(
        _url(capture, "promote/preview/"),
        {"span_step_0": "0", "span_text_0": "Huddle", "span_name_0": "product"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "announcing {{ product }} to" in fragment
    assert "you selected it" in fragment
    bad = client.post(
        _url(capture, "promote/preview/"),
        {"span_step_0": "0", "span_text_0": "Nope", "span_name_0": "product"},
    ).content.decode()
    assert "is not in step 1" in bad


def test_promote_redirects_to_the_new_draft_workflow(member, login):
    capture = make_capture(member, context_slugs=["brand_voice"])
    client = login(member)
    response = client.post(
        _url(capture, "promote/"),
        {
            "title": "Launch post",
            "span_step_0": "",
            "span_text_0": "Huddle",
            "span_name_0": "product",
        },
    )
    workflow = Workflow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/acme/library/{workflow.slug}/"
    page = client.get(response["Location"]).content.decode()
    assert "Context to attach: brand_voice" in page
    assert 'name="in_product"' in page
    assert f"/o/acme/library/{workflow.slug}/" in client.get(_url(capture)).content.decode()


def test_promote_with_a_bad_span_stays_on_the_page(member, login):
    capture = make_capture(member)
    response = login(member).post(
        _url(capture, "promote/"), {"span_step_0": "0", "span_text_0": "Nope", "span_name_0": "x"}
    )
    assert response.status_code == 200
    assert "is not in step 1" in response.content.decode()
    assert 'name="span_text_0" value="Nope"' in response.content.decode()
    assert not Workflow.objects.exists()


def test_the_form_offers_the_teams_context_to_tick(member, editor, login):
    """Issue 19: capture asked for context by slug ("brand_voice"); now it offers a picker."""
    from tests.context.helpers import make_asset

    make_asset(editor, "brand", "brand_voice")
    client = login(member)
    page = client.get("/o/acme/captures/new/").content.decode()
    assert 'name="context_pick" value="brand_voice"' in page
    response = client.post(
        "/o/acme/captures/new/",
        {
            "title": "Post", "goal": "Announce", "tool": "chatgpt", "step_text_0": "Write it",
            "context_slugs": "personas", "context_pick": "brand_voice",
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert Capture.objects.get().context_slugs == ["personas", "brand_voice"]


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"title": "x" * 201}, "At most 200 characters."),
        ({"title": "Launch", "tool": "myspace"}, "Use one of chatgpt"),
        ({"title": "Launch", "minutes_after": "-3"}, "Give a whole number of minutes between 0"),
        ({"title": "Launch", "context_slugs": "Brand Voice!"}, "is not a context name"),
    ],
)
def test_a_bad_field_is_named_on_the_form_and_nothing_is_captured(member, login, posted, message):
    response = login(member).post("/o/acme/captures/new/", {"step_text_0": "Hi", **posted})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Capture.objects.exists()


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"visibility": "world"}, "Who can see it: Select a valid choice. world is not one"),
        ({"visibility": "team", "team": "nope"}, "Team: No such team."),
        ({}, "Who can see it: This field is required."),
    ],
)
def test_sharing_with_a_bad_choice_is_named_and_changes_nothing(member, login, posted, message):
    capture = make_capture(member)
    response = login(member).post(
        _url(capture, "share/"), posted, headers={"referer": _url(capture)}, follow=True
    )
    assert f"Choose who can see it. {message}" in response.content.decode()
    capture.refresh_from_db()
    assert (capture.visibility, capture.team) == ("private", None)


def test_sharing_with_a_team_by_its_slug(member, editor, login):
    from tests.factories import TeamFactory

    team = TeamFactory(organization=member.org, slug="growth")
    capture = make_capture(member)
    response = login(member).post(_url(capture, "share/"), {"visibility": "team", "team": "growth"})
    assert response.status_code == 302
    capture.refresh_from_db()
    assert (capture.visibility, capture.team) == ("team", team)


def test_a_workflow_title_past_its_length_is_named_next_to_it_and_nothing_is_made(member, login):
    capture = make_capture(member)
    response = login(member).post(
        _url(capture, "promote/"),
        {"title": "T" * 201, "span_step_0": "", "span_text_0": "Huddle", "span_name_0": "product"},
    )
    html = response.content.decode()
    field = html[html.index('id="promote-title"') : html.index('class="grid-main"')]
    assert "Ensure this value has at most 200 characters (it has 201)." in field
    assert f'value="{"T" * 201}"' in field  # what was typed is kept
    assert 'name="span_text_0" value="Huddle"' in html
    assert not Workflow.objects.exists()

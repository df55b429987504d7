"""Ritual pages refuse bad input field by field and write nothing (issue 20: forms)."""

from __future__ import annotations

import pytest

from huddle.rituals import config, digest
from huddle.rituals.models import Answer, Ask, Win
from tests.rituals.conftest import WEEK, shared_workflow

pytestmark = pytest.mark.django_db


def _back(client, path, data, page):
    """Post a button's form from ``page``; the answer is the page again, with the message."""
    return client.post(path, data, headers={"referer": page}, follow=True).content.decode()


@pytest.mark.parametrize(
    ("subject", "message"),
    [
        ("", "What saved the time: This field is required."),
        ("song:123", "What saved the time: Choose a run, workflow or capture."),
        ("workflow:", "What saved the time: Choose a run, workflow or capture."),
    ],
)
def test_a_nomination_without_a_known_subject_says_so(org, editor, login, subject, message):
    page = _back(login(editor), "/o/acme/wins/nominate/", {"subject": subject}, "/o/acme/wins/")
    assert f"Check the nomination. {message}" in page
    assert not Win.objects.exists()


def test_a_story_too_long_is_refused(org, editor, login):
    workflow = shared_workflow(editor)
    page = _back(
        login(editor),
        "/o/acme/wins/nominate/",
        {"subject": f"workflow:{workflow.public_id}", "story": "x" * 501},
        "/o/acme/wins/",
    )
    assert "The story: Ensure this value has at most 500 characters (it has 501)." in page
    assert not Win.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "This field is required."), ("x" * 1001, "at most 1000 characters (it has 1001)")],
)
def test_a_question_missing_or_too_long_is_named_next_to_the_field(
    org, member, login, text, message
):
    response = login(member).post("/o/acme/asks/", {"text": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert (
        page.index("What are you looking for?")
        < page.index(message)
        < page.index("Ask anonymously")
    )
    assert not Ask.objects.exists()


def test_a_question_too_long_keeps_what_was_typed(org, member, login):
    page = login(member).post("/o/acme/asks/", {"text": "Press? " * 200}).content.decode()
    assert "Press? Press?" in page


def test_an_answer_linking_something_unknown_says_so(org, editor, member, login):
    from huddle.rituals import services

    ask, _ = services.ask_create(actor=member.actor, text="Anything for press releases?")
    page = _back(
        login(editor),
        f"/o/acme/asks/{ask.public_id}/answer/",
        {"link": "run:123", "text": "Try this"},
        "/o/acme/asks/",
    )
    assert "Check your answer. Link: Choose a workflow or capture." in page
    page = _back(
        login(editor),
        f"/o/acme/asks/{ask.public_id}/answer/",
        {"text": "x" * 4001},
        "/o/acme/asks/",
    )
    assert "Answer: Ensure this value has at most 4000 characters" in page
    assert not Answer.objects.exists()


def test_an_answer_in_words_is_saved(org, editor, member, login):
    from huddle.rituals import services

    ask, _ = services.ask_create(actor=member.actor, text="Anything for press releases?")
    page = _back(
        login(editor), f"/o/acme/asks/{ask.public_id}/answer/", {"text": "Ask Ana"}, "/o/acme/asks/"
    )
    assert "Thanks for answering." in page
    assert Answer.objects.get().text == "Ask Ana"


def test_the_digest_form_refuses_an_unknown_action_and_a_missing_text(
    frozen_week, org, admin, login
):
    draft = digest.digest_draft(org, WEEK)
    client = login(admin)
    url = f"/o/acme/wins/digest/{WEEK}/"
    response = client.post(url, {"action": "publish", "markdown": "# Mine"})
    assert response.status_code == 200
    assert "Select a valid choice. publish is not one of the available choices." in (
        response.content.decode()
    )
    assert "# Mine</textarea>" in response.content.decode()  # what was typed stays
    response = client.post(url, {"action": "save"})
    assert "Write the digest (or draft it again from the data)." in response.content.decode()
    too_long = client.post(url, {"action": "save", "markdown": "x" * (digest.MAX_MARKDOWN + 1)})
    assert "Ensure this value has at most 20000 characters" in too_long.content.decode()
    draft.refresh_from_db()
    assert draft.edited_by is None
    redraft = {"action": "redraft", "markdown": "x" * (digest.MAX_MARKDOWN + 1)}
    assert client.post(url, redraft).status_code == 302  # the text typed is replaced anyway


SETTINGS = {
    "enabled": "on", "timezone": "Europe/Paris", "draft_weekday": "2", "draft_time": "10:30",
    "send_weekday": "4", "send_time": "08:00", "recipients": "members", "email_enabled": "on",
}  # fmt: skip


def test_the_schedule_is_saved_from_the_page(org, admin, login):
    response = login(admin).post("/o/acme/wins/settings/", SETTINGS, follow=True)
    assert "Ritual settings saved." in response.content.decode()
    saved = config.settings_for(org)
    assert (saved.enabled, saved.timezone, saved.draft_weekday, str(saved.draft_time)) == (
        True, "Europe/Paris", 2, "10:30:00",
    )  # fmt: skip
    assert saved.email_enabled is True


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("draft_weekday", "Someday", "Select a valid choice. Someday is not one of"),
        ("send_weekday", "9", "Select a valid choice. 9 is not one of"),
        ("draft_time", "half past", "Use a time like 09:00."),
        ("recipients", "everyone", "Select a valid choice. everyone is not one of"),
        ("timezone", "Mars/Olympus", "Unknown time zone."),
        ("timezone", "x" * 65, "Ensure this value has at most 64 characters"),
        ("recipients", None, "This field is required."),
    ],
)
def test_bad_schedule_fields_are_named_and_nothing_is_saved(
    org, admin, login, field, value, message
):
    data = {**SETTINGS, field: value}
    if value is None:
        del data[field]
    response = login(admin).post("/o/acme/wins/settings/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Check the fields below." in page
    assert message in page
    saved = config.settings_for(org)
    assert (saved.enabled, saved.timezone) == (False, "UTC")
    if field != "timezone":
        assert 'value="Europe/Paris"' in page  # what was typed stays

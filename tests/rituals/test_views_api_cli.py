"""Pages, API and CLI of the ritual: thin doors over the same services, with the same rules."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from huddle.cli import run as cli
from huddle.rituals import services
from huddle.rituals.models import Answer, Ask, Win
from tests.rituals.conftest import WEEK, run, shared_workflow

pytestmark = pytest.mark.django_db

PAGES = ["/o/acme/wins/", "/o/acme/asks/", "/o/acme/wins/digest/", "/o/acme/wins/settings/"]


@pytest.fixture
def week(frozen_week, monkeypatch):
    monkeypatch.setattr(services, "week_now", lambda organization: WEEK)
    return WEEK


@pytest.mark.parametrize("path", PAGES)
def test_outsiders_get_404_on_every_ritual_page(org, outsider, login, path):
    assert login(outsider).get(path).status_code == 404


def test_only_admins_see_the_settings(org, member, admin, login):
    assert login(member).get("/o/acme/wins/settings/").status_code == 403
    assert login(admin).get("/o/acme/wins/settings/").status_code == 200


def test_wins_page_lists_suggestions_so_it_never_starts_empty(week, org, editor, member, login):
    workflow = shared_workflow(editor)
    run(member, workflow, spent=40, baseline=360)
    page = login(member).get("/o/acme/wins/").content.decode()
    assert "Monthly report" in page
    assert "Suggested: Biggest time saved this week" in page


def test_nominate_and_vote_with_htmx(week, org, editor, viewer, login):
    workflow = shared_workflow(editor)
    client = login(editor)
    response = client.post(
        "/o/acme/wins/nominate/", {"subject": f"workflow:{workflow.public_id}", "story": "Wow"}
    )
    assert response.status_code == 302
    win = Win.objects.get(workflow=workflow)
    voted = login(viewer).post(
        f"/o/acme/wins/{win.public_id}/vote/", headers={"HX-Request": "true"}
    )
    assert voted.status_code == 200
    assert 'id="candidates"' in voted.content.decode()
    assert "Your vote" in voted.content.decode()
    win.refresh_from_db()
    assert win.vote_count == 1


def test_the_winning_workflow_gets_a_badge_in_the_library(week, org, editor, admin, member, login):
    workflow = shared_workflow(editor)
    win = services.win_nominate(actor=editor.actor, story="6 h to 40 min", workflow=workflow)
    page = login(member).get(f"/o/acme/library/{workflow.slug}/").content.decode()
    assert "Win of the Week" not in page
    services.win_choose(actor=admin.actor, win=win)
    page = login(member).get(f"/o/acme/library/{workflow.slug}/").content.decode()
    assert "🏆 Win of the Week" in page
    assert "6 h to 40 min" in page


def test_asks_board_suggests_matching_workflows_and_their_owners(org, editor, member, login):
    shared_workflow(editor, title="Webinar follow-up email")
    services.ask_create(actor=member.actor, text="Is there a workflow for webinar follow-ups?")
    page = login(member).get("/o/acme/asks/").content.decode()
    assert "Might help:" in page
    assert "Webinar follow-up email" in page
    assert "ask Editor Person" in page
    helper = login(editor).get("/o/acme/asks/").content.decode()
    assert "You could help with" in helper


def test_answers_link_only_workflows_shared_with_everyone(org, editor, member, login):
    from tests.factories import make_workflow

    ask, _ = services.ask_create(actor=member.actor, text="Anything for press releases?")
    private = make_workflow(editor, title="Private press release")
    response = login(editor).post(
        f"/o/acme/asks/{ask.public_id}/answer/", {"link": f"workflow:{private.public_id}"}
    )
    assert response.status_code == 302
    assert not Answer.objects.exists()


def test_api_wins_nominate_vote_and_list(week, org, editor, member, api_client, outsider):
    workflow = shared_workflow(editor)
    created = api_client(editor).post(
        "/api/v1/wins", {"workflow": workflow.slug, "story": "Saved a day"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
    win_id = created.json()["id"]
    voted = api_client(member).post(f"/api/v1/wins/{win_id}/vote")
    assert voted.json()["votes"] == 1
    listed = api_client(member).get("/api/v1/wins").json()
    assert listed["week"] == WEEK
    assert listed["my_vote"] == win_id
    assert api_client(outsider).post(f"/api/v1/wins/{win_id}/vote").status_code == 404
    assert api_client(member).post(f"/api/v1/wins/{win_id}/choose").status_code == 403


def test_api_asks_and_answers(org, editor, member, api_client):
    workflow = shared_workflow(editor, title="Press release")
    ask = (
        api_client(member)
        .post("/api/v1/asks", {"text": "Press release help?"}, content_type="application/json")
        .json()
    )
    assert ask["author"] == "Member Person"
    answered = api_client(editor).post(
        f"/api/v1/asks/{ask['id']}/answers", {"workflow": workflow.slug, "text": "This one"},
        content_type="application/json",
    )  # fmt: skip
    assert answered.status_code == 201
    assert answered.json()["answers"][0]["workflow"] == workflow.slug
    assert api_client(editor).post(f"/api/v1/asks/{ask['id']}/solve").status_code == 403
    assert api_client(member).post(f"/api/v1/asks/{ask['id']}/solve").json()["status"] == "solved"


def test_api_asks_page_newest_first_with_the_one_cursor_pager(org, member, api_client):
    client = api_client(member)
    for text in ("First ask?", "Second ask?", "Third ask?"):
        client.post("/api/v1/asks", {"text": text}, content_type="application/json")
    first = client.get("/api/v1/asks", {"limit": 2}).json()
    assert [a["text"] for a in first["items"]] == ["Third ask?", "Second ask?"]
    rest = client.get("/api/v1/asks", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert ([a["text"] for a in rest["items"]], rest["next_cursor"]) == (["First ask?"], None)
    assert client.get("/api/v1/asks?status=solved").json() == {"items": [], "next_cursor": None}


def test_api_digest_drafts_for_admins_and_hides_drafts_from_members(org, admin, member, api_client):
    assert api_client(member).get(f"/api/v1/digests/{WEEK}").status_code == 404
    body = api_client(admin).get(f"/api/v1/digests/{WEEK}").json()
    assert body["status"] == "draft"
    assert "<h1>AI Win of the Week" in body["html"]
    assert api_client(admin).get("/api/v1/digests/not-a-week").status_code == 422


def test_cli_digest_formats_and_send(org, owner, member, capsys):
    assert cli(["digest", "--org", "acme", "--week", WEEK]) == 0
    assert capsys.readouterr().out.startswith("# AI Win of the Week — Week 10")
    assert cli(["digest", "--org", "acme", "--week", WEEK, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "draft"
    assert data["content"]["week"] == WEEK
    assert cli(["digest", "--org", "acme", "--week", WEEK, "--format", "html", "--send"]) == 0
    captured = capsys.readouterr()
    assert "<h2>The 15-minute agenda</h2>" in captured.out
    assert "Sent 2 of 2 deliveries." in captured.err
    assert len(mail.outbox) == 2
    assert cli(["digest", "--org", "acme", "--week", WEEK, "--send"]) == 0
    assert len(mail.outbox) == 2  # nothing twice
    assert cli(["digest", "--org", "acme", "--week", "2026-07"]) == 2
    assert "not an ISO week" in capsys.readouterr().err


def test_cli_wins_list_and_tick(week, org, editor, capsys):
    services.win_nominate(actor=editor.actor, story="Saved a day", workflow=shared_workflow(editor))
    assert cli(["wins", "list", "--org", "acme", "--week", WEEK, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [w["title"] for w in data["items"]] == ["Monthly report"]
    assert cli(["digest", "tick"]) == 0
    assert "Nothing due." in capsys.readouterr().out
    assert Ask.objects.count() == 0

"""An anonymous ask reveals its asker nowhere: not on a page, in the API, the CLI's digest, the
email, a webhook payload, the event log or a log line. The asker has a distinctive name and
email, and every output an admin can get is searched for them."""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail

from huddle.accounts.models import Role
from huddle.cli import run as cli
from huddle.core.models import Event
from huddle.rituals import delivery
from huddle.rituals.config import settings_update
from huddle.rituals.digest import digest_draft
from huddle.rituals.models import Ask
from huddle.rituals.services import week_now
from tests.conftest import Persona
from tests.factories import MembershipFactory, UserFactory
from tests.rituals.conftest import shared_workflow
from tests.rituals.test_delivery import fields
from tests.runs.servers import Reply

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Zebulon Quillfeather"
EMAIL = "zq.hidden-asker@acme.test"
QUESTION = "Is there a workflow for turning webinar transcripts into blog posts?"


@pytest.fixture
def asker(org) -> Persona:
    user = UserFactory(email=EMAIL, name=NAME)
    return Persona(user, MembershipFactory(organization=org, user=user, role=Role.MEMBER))


def _reveals(text: str) -> bool:
    lowered = text.lower()
    return any(s in lowered for s in (NAME.lower(), EMAIL, "zebulon", "quillfeather", "zq.hidden"))


def test_nothing_reveals_an_anonymous_asker(
    org, owner, admin, editor, asker, login, api_client, fake_server, caplog, capsys
):
    caplog.set_level(logging.DEBUG)
    workflow = shared_workflow(editor, title="Webinar to blog post")
    # The asker asks on the page, anonymously, and keeps the solve link.
    posted = login(asker).post("/o/acme/asks/", {"text": QUESTION, "anonymous": "on"})
    assert posted.status_code == 200
    assert posted["Cache-Control"] == "no-store"
    link = re.search(r'value="(http[^"]+/asks/solve/([^/"]+)/)"', posted.content.decode())
    assert link is not None
    ask = Ask.objects.get(text=QUESTION)
    assert ask.author is None
    assert ask.solve_token_hash
    assert link[2] not in ask.solve_token_hash

    # Someone answers; the digest is drafted and sent everywhere.
    answerer = login(editor)
    answerer.post(
        f"/o/acme/asks/{ask.public_id}/answer/",
        {"text": "Try this one", "link": f"workflow:{workflow.public_id}"},
    )
    settings_update(
        actor=admin.actor,
        fields=fields(allowed_private_host=fake_server.host_key),
        slack_url=f"{fake_server.url}/slack",
        teams_url=f"{fake_server.url}/teams",
    )
    fake_server.queue(Reply(body=b"ok"))
    week = week_now(org)
    digest = digest_draft(org, week)
    assert QUESTION in digest.markdown  # the ask is in the digest, its asker is not
    delivery.digest_send(actor=admin.actor, digest=digest, inline=True)

    outputs: dict[str, str] = {}
    for persona_name, persona in (("admin", admin), ("owner", owner)):
        client = login(persona)
        for path in (
            "/o/acme/wins/",
            "/o/acme/asks/",
            "/o/acme/asks/?status=solved",
            f"/o/acme/wins/digest/{week}/",
            "/o/acme/wins/settings/",
            f"/o/acme/library/{workflow.slug}/",
            "/o/acme/activity/?kind=ask.created",
            "/o/acme/activity/?kind=ask.answered",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            if "/activity/" in path:
                # The member filter lists every member by name; the events are what matters.
                html = re.sub(r"<select.*?</select>", "", html, flags=re.S)
            outputs[f"{persona_name} page {path}"] = html
        api = api_client(persona)
        for path in ("/api/v1/asks", "/api/v1/asks?status=solved", "/api/v1/wins",
                     f"/api/v1/digests/{week}"):  # fmt: skip
            response = api.get(path)
            assert response.status_code == 200, path
            outputs[f"{persona_name} api {path}"] = response.content.decode()
    for fmt in ("md", "html", "json"):
        assert cli(["digest", "--org", "acme", "--week", week, "--format", fmt]) == 0
        outputs[f"cli digest {fmt}"] = capsys.readouterr().out
    assert cli(["wins", "list", "--org", "acme", "--json"]) == 0
    outputs["cli wins"] = capsys.readouterr().out
    for message in mail.outbox:
        outputs[f"email to {message.to}"] = (
            message.subject + message.body + str(message.alternatives)
        )
    for seen in fake_server.requests:
        outputs[f"webhook {seen.path}"] = seen.body.decode()
    events = Event.objects.filter(kind__startswith="ask.").values()
    outputs["events"] = str(list(events))

    # The asker marks it solved with the link; who did is not recorded either.
    solved = login(asker).post(f"/o/acme/asks/solve/{link[2]}/")
    assert solved.status_code == 302
    ask.refresh_from_db()
    assert ask.status == "solved"
    outputs["solved board"] = login(admin).get("/o/acme/asks/?status=solved").content.decode()
    outputs["events after solving"] = str(
        list(Event.objects.filter(kind__startswith="ask.").values())
    )
    outputs["logs"] = "\n".join(record.getMessage() for record in caplog.records)

    assert len(outputs) > 25
    for where, text in outputs.items():
        assert not _reveals(text), f"the asker shows in {where}"
    assert QUESTION in outputs["admin page /o/acme/asks/"]  # the search would have found text
    assert "Asked anonymously" in outputs["admin page /o/acme/asks/"]
    assert not Event.objects.filter(actor=asker.user).exists()


def test_an_anonymous_ask_through_the_api_returns_the_token_once(member, api_client, admin):
    response = api_client(member).post(
        "/api/v1/asks", {"text": QUESTION, "anonymous": True}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["author"] is None
    token = body["solve_token"]
    assert token.startswith("ask_")
    listed = api_client(member).get("/api/v1/asks").json()["items"]
    assert listed[0]["solve_token"] is None
    assert listed[0]["author"] is None
    # Nobody else can solve it without the token; the token solves it.
    other = api_client(admin)
    assert other.post(f"/api/v1/asks/{body['id']}/solve", {"token": "ask_wrong"},
                      content_type="application/json").status_code == 404  # fmt: skip
    solved = api_client(member).post(
        f"/api/v1/asks/{body['id']}/solve", {"token": token}, content_type="application/json"
    )
    assert solved.json()["status"] == "solved"
    event = Event.objects.get(kind="ask.created")
    assert event.actor is None
    assert event.data == {"anonymous": True}


def test_a_named_ask_is_solved_by_its_asker_only(member, editor, login):
    login(member).post("/o/acme/asks/", {"text": "Any prompt for press releases?"})
    ask = Ask.objects.get()
    assert ask.author == member.user
    assert login(editor).post(f"/o/acme/asks/{ask.public_id}/solve/").status_code == 403
    assert login(member).post(f"/o/acme/asks/{ask.public_id}/solve/").status_code == 302
    ask.refresh_from_db()
    assert ask.status == "solved"

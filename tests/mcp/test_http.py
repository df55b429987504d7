"""``/mcp`` over HTTP: the member's API token is the only way in, and each member gets their own
library through it."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import DatabaseError
from django.test import Client, RequestFactory

from huddle.accounts import services as accounts
from huddle.accounts.models import ApiToken
from huddle.core.accesslog import KEEP_OUT
from huddle.core.models import Event
from huddle.library.content import MAX_TEXT_INPUT
from huddle.mcp.http import UNAUTHENTICATED, mcp_endpoint
from huddle.runs import assistant
from huddle.runs.models import Run
from tests.mcp.helpers import error, result, rpc, small_library, without_event_loop


@pytest.fixture
def library(editor, member):
    return small_library(editor, member)


def token_of(persona) -> str:
    return accounts.token_create(actor=persona.actor, name="mcp")[1]


def listed(token: str) -> list[str]:
    return [p["name"] for p in result(rpc(Client(), "prompts/list", token=token))["prompts"]]


def test_two_members_list_the_prompts_each_of_them_can_see(library, member, viewer):
    launch, endorsed, private = library["launch"], library["endorsed"], library["private"]
    assert listed(token_of(member)) == [endorsed.slug, private.slug, launch.slug]
    assert listed(token_of(viewer)) == [endorsed.slug, launch.slug]


@pytest.mark.parametrize(
    "header", [None, "Bearer hud_unknown", "Bearer an-unknown-oauth-token", "Basic abc", "Bearer "]
)
def test_without_a_valid_token_the_answer_is_401(db, header):
    headers = {"authorization": header} if header else {}
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "prompts/list"})
    response = Client().post("/mcp", body, content_type="application/json", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == (
        'Bearer realm="huddle",'
        'resource_metadata="http://testserver/.well-known/oauth-protected-resource"'
    )
    assert response.json()["error"]["message"] == UNAUTHENTICATED


def test_a_revoked_token_gets_401(library, member):
    token = token_of(member)
    assert listed(token)
    accounts.token_revoke(actor=member.actor, token=ApiToken.objects.get(user=member.user))
    assert rpc(Client(), "prompts/list", token=token).status_code == 401


def test_a_removed_members_token_gets_401(library, owner, member):
    token = token_of(member)
    accounts.membership_remove(actor=owner.actor, membership=member.membership)
    assert rpc(Client(), "prompts/list", token=token).status_code == 401


def test_a_signed_in_browser_session_is_not_a_way_in(library, login, member):
    assert rpc(login(member), "prompts/list").status_code == 401


def test_a_bad_argument_is_a_clear_error_naming_the_input(library, member):
    response = rpc(
        Client(),
        "prompts/get",
        {"name": library["launch"].slug, "arguments": {"product": "x" * (MAX_TEXT_INPUT + 1)}},
        token=token_of(member),
    )
    failure = error(response)
    assert failure["message"] == "Check these inputs: product."
    assert failure["data"]["code"] == "invalid"
    assert failure["data"]["fields"]["product"] == [
        f"Product is {MAX_TEXT_INPUT + 1:,} characters; the limit is {MAX_TEXT_INPUT:,}."
    ]


def test_an_unknown_prompt_is_not_found_like_a_foreign_one(library, editor):
    token = token_of(editor)
    unknown = error(rpc(Client(), "prompts/get", {"name": "nope"}, token=token))
    private = error(rpc(Client(), "prompts/get", {"name": library["private"].slug}, token=token))
    assert unknown == private
    assert unknown["message"] == "Not found."


def test_an_anonymous_ask_leaves_no_trace_of_the_asker(library, member):
    token = token_of(member)
    response = rpc(
        Client(),
        "tools/call",
        {"name": "ask_for_help", "arguments": {"question": "How?", "anonymous": True}},
        token=token,
    )
    assert result(response)["isError"] is False
    assert response.wsgi_request.META.get(KEEP_OUT) is True
    assert ApiToken.objects.get(user=member.user).last_used_at is None


def test_other_calls_touch_the_tokens_last_use_and_are_logged(library, member):
    token = token_of(member)
    response = rpc(Client(), "tools/list", token=token)
    assert len(result(response)["tools"]) == 6
    assert KEEP_OUT not in response.wsgi_request.META
    assert ApiToken.objects.get(user=member.user).last_used_at is not None


def test_a_nul_character_in_arguments_is_refused_by_name(library, member):
    response = rpc(
        Client(),
        "tools/call",
        {"name": "capture_workflow", "arguments": {"title": "a\x00b", "steps": ["x"]}},
        token=token_of(member),
    )
    answer = result(response)
    assert answer["isError"] is True
    assert "NUL character" in answer["content"][0]["text"]
    assert answer["structuredContent"]["error"]["fields"] == {
        "title": [answer["content"][0]["text"]]
    }


@pytest.mark.parametrize("method", ["get", "delete", "put"])
def test_other_methods_are_refused_without_a_page(library, member, method):
    headers = {"authorization": f"Bearer {token_of(member)}", "accept": "text/event-stream"}
    response = getattr(Client(), method)("/mcp", headers=headers)
    assert response.status_code == 405
    assert response["content-type"].startswith("application/json")
    assert response.json()["error"]["message"]


def test_a_body_that_is_not_json_rpc_is_a_parse_error(library, member):
    headers = {
        "authorization": f"Bearer {token_of(member)}",
        "accept": "application/json, text/event-stream",
    }
    response = Client().post("/mcp", "{nope", content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == -32700


def post(token: str, body: object, **headers: str):
    headers = {"authorization": f"Bearer {token}", **headers}
    data = body if isinstance(body, str) else json.dumps(body)
    content_type = headers.pop("content_type", "application/json")
    return Client().post("/mcp", data, content_type=content_type, headers=headers)


def test_a_client_that_does_not_accept_json_is_told_so(library, member):
    response = post(
        token_of(member),
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        accept="text/event-stream",
    )
    assert response.status_code == 406
    assert "must accept application/json" in response.json()["error"]["message"]


def test_a_body_that_is_not_json_by_its_content_type_is_refused(library, member):
    response = post(
        token_of(member),
        {"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        accept="application/json",
        content_type="text/plain",
    )
    assert response.status_code == 415
    assert "Content-Type must be application/json" in response.json()["error"]["message"]


def test_a_notification_is_acknowledged_without_an_answer_or_a_session(library, member):
    response = post(
        token_of(member),
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        accept="application/json, text/event-stream",
    )
    assert response.status_code == 202
    assert response.content == b""
    assert "mcp-session-id" not in response


def test_initialize_answers_with_the_negotiated_version_and_no_session(library, member):
    params = {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "1"},
    }
    response = post(
        token_of(member),
        {"jsonrpc": "2.0", "id": "a", "method": "initialize", "params": params},
        accept="application/json",
    )
    answer = response.json()
    assert answer["id"] == "a"
    assert answer["result"]["protocolVersion"] == "2025-06-18"
    assert answer["result"]["serverInfo"]["name"] == "huddle"
    assert "mcp-session-id" not in response


def test_without_a_protocol_header_a_request_is_answered_in_the_default_version(library, member):
    response = post(
        token_of(member),
        {"jsonrpc": "2.0", "id": 7, "method": "prompts/list"},
        accept="application/json",
    )
    answer = response.json()
    assert answer["id"] == 7
    assert len(answer["result"]["prompts"]) == 3


def test_an_unknown_method_is_a_json_rpc_error_with_the_requests_id(library, member):
    response = rpc(Client(), "prompts/forget", token=token_of(member))
    assert response.status_code == 200
    assert response.json()["id"] == 1
    assert error(response)["code"] == -32601


def test_invalid_parameters_of_a_known_method_are_a_json_rpc_error(library, member):
    response = rpc(Client(), "prompts/get", {"arguments": {}}, token=token_of(member))
    assert error(response)["code"] == -32602


ERAS = ["2025-11-25", "2026-07-28"]  # answered by exchange.py / by the SDK's own entry


@pytest.mark.parametrize("protocol", ERAS)
def test_a_prompt_is_answered_before_its_run_is_written_and_the_run_has_the_answers_id(
    library, member, protocol, server_close
):
    slug = library["endorsed"].slug
    request = rpc(
        RequestFactory(), "prompts/get", {"name": slug}, token=token_of(member), protocol=protocol
    )
    response = without_event_loop(lambda: mcp_endpoint(request))
    run_id = json.loads(response.content)["result"]["_meta"]["huddle/run"]
    # The answer is complete while nothing is written yet: the member does not wait for it.
    assert not Run.objects.filter(public_id=run_id).exists()
    server_close(response)  # the server has sent the answer
    run = Run.objects.get(public_id=run_id)
    assert (run.mode, run.status, run.user, run.workflow) == (
        "mcp",
        "running",
        member.user,
        library["endorsed"],
    )
    assert Event.objects.filter(kind="run.recorded", object_id=str(run.public_id)).count() == 1


def test_a_failure_to_record_the_run_is_logged_and_the_member_still_gets_the_prompt(
    library, member, monkeypatch, caplog
):
    def database_gone(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(assistant, "run_open", database_gone)
    with caplog.at_level(logging.ERROR, logger="huddle.core.afterwards"):
        response = rpc(
            Client(), "prompts/get", {"name": library["endorsed"].slug}, token=token_of(member)
        )
    assert result(response)["messages"]
    assert not Run.objects.exists()
    assert "connection lost" in caplog.records[-1].exc_text


@pytest.mark.parametrize("protocol", ERAS)
def test_in_either_era_the_run_exists_once_the_answer_has_been_received(library, member, protocol):
    token, slug = token_of(member), library["endorsed"].slug
    response = without_event_loop(
        lambda: rpc(Client(), "prompts/get", {"name": slug}, token=token, protocol=protocol)
    )
    run_id = result(response)["_meta"]["huddle/run"]
    assert Run.objects.get(public_id=run_id).status == "running"

"""The SDK's own client against a live Huddle: Streamable HTTP to ``huddle serve`` (gunicorn, in
a child process) and stdio to ``huddle mcp``, each speaking both protocol eras."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from tests.mcp.live import CANARY, ROOT, Live, start

MODES = ["legacy", "auto"]  # the initialize handshake (today's clients), and 2026-07-28


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Any:
    server = start(tmp_path_factory.mktemp("mcp-live"))
    yield server
    server.process.terminate()
    server.process.communicate(timeout=60)


def over_http(live: Live, token: str, mode: str, work: Callable[[Client], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = httpx2.AsyncClient(headers=headers, timeout=60)
        async with http, Client(streamable_http_client(live.url, http_client=http), mode=mode) as c:
            return await work(c)

    return in_own_thread(main)


def over_stdio(live: Live, email: str, mode: str, work: Callable[[Client], Awaitable[Any]]) -> Any:
    params = StdioServerParameters(
        command=sys.executable, args=live.stdio_args("alpha", email), env=live.env, cwd=ROOT
    )

    async def main() -> Any:
        async with Client(params, mode=mode) as client:
            return await work(client)

    return in_own_thread(main)


def in_own_thread(main: Callable[[], Awaitable[Any]]) -> Any:
    """``asyncio.run(main())`` in a thread of its own: Playwright's sync API keeps an event loop
    running in the main thread for the rest of the session once a browser test ran there."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(main())).result()  # type: ignore[arg-type]


async def prompt_names(client: Client) -> list[str]:
    return [prompt.name for prompt in (await client.list_prompts()).prompts]


@pytest.mark.parametrize("mode", MODES)
def test_two_members_with_different_visibility_list_their_own_prompts_over_http(live, mode):
    ids = live.ids
    mine = over_http(live, ids["member_token"], mode, prompt_names)
    theirs = over_http(live, ids["viewer_token"], mode, prompt_names)
    assert set(mine) == {ids["workflow"], ids["voiced"], ids["private"]}
    assert set(theirs) == {ids["workflow"], ids["voiced"]}
    assert ids["b_workflow"] not in mine + theirs


def test_over_stdio_the_member_of_huddle_mcp_lists_their_prompts(live):
    # One era here; the other speaks stdio in the isolation test below (each start costs seconds).
    names = over_stdio(live, live.ids["member_email"], "legacy", prompt_names)
    assert set(names) == {live.ids["workflow"], live.ids["voiced"], live.ids["private"]}


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_getting_a_prompt_renders_its_context_and_opens_an_mcp_run(live, transport):
    async def work(client: Client) -> Any:
        got = await client.get_prompt(live.ids["voiced"], {"product": "Widget"})
        logged = await client.call_tool(
            "log_run",
            {
                "workflow": live.ids["voiced"],
                "minutes_spent": 5,
                "baseline_minutes": 30,
                "rating": 5,
                "output": "A teaser.",
                "final_text": "A teaser!",
            },
        )
        return got, logged

    if transport == "http":
        got, logged = over_http(live, live.ids["member_token"], "legacy", work)
    else:
        got, logged = over_stdio(live, live.ids["member_email"], "legacy", work)
    [message] = got.messages
    assert message.content.text.startswith("Our voice: ")
    assert "Our voice is plain." in message.content.text  # the context asset's text
    assert message.content.text.endswith("Tease Widget.")
    run_id = got.meta["huddle/run"]
    # log_run completes the run the prompt opened, and the API shows it as an MCP run.
    assert logged.is_error is False
    assert logged.structured_content["run"] == run_id
    assert logged.structured_content["minutes_saved"] == 25
    response = httpx2.get(
        live.url.replace("/mcp", "/api/v1/runs"),
        headers={"Authorization": f"Bearer {live.ids['member_token']}"},
    )
    [run] = [r for r in response.json()["items"] if r["id"] == run_id]
    assert (run["mode"], run["status"], run["rating"]) == ("mcp", "completed", 5)


def test_each_tool_answers_over_http(live):
    ids = live.ids

    async def work(client: Client) -> dict[str, Any]:
        calls = {
            "search_library": {"q": "teaser"},
            "render_workflow": {"slug": ids["voiced"], "inputs": {"product": "Widget"}},
            "log_run": {"minutes_spent": 3, "baseline_minutes": 10, "final_text": "Ad hoc."},
            "capture_workflow": {
                "title": "Weekly recap",
                "steps": ["Summarise this week's numbers.", "Now make it shorter."],
                "negative_constraints": "No emoji.",
                "notes": "I fix the dates by hand.",
                "tool": "claude",
            },
            "brand_check": {"text": "Our amazing product is the best!!!"},
            "ask_for_help": {"question": "Who has a prompt for webinars?"},
        }
        assert {t.name for t in (await client.list_tools()).tools} == set(calls)
        return {name: await client.call_tool(name, args) for name, args in calls.items()}

    answers = over_http(live, ids["member_token"], "legacy", work)
    assert not [name for name, answer in answers.items() if answer.is_error]
    assert [w["slug"] for w in answers["search_library"].structured_content["workflows"]] == [
        ids["voiced"]
    ]
    assert answers["render_workflow"].content[0].text.endswith("Tease Widget.")
    assert answers["log_run"].structured_content["minutes_saved"] == 7
    assert answers["capture_workflow"].content[0].text.startswith("Captured 'Weekly recap'")
    assert 0 <= answers["brand_check"].structured_content["score"] <= 100
    assert answers["ask_for_help"].structured_content["anonymous"] is False


@pytest.mark.parametrize("mode", MODES)
def test_a_bad_argument_gets_the_apis_clear_message(live, mode):
    async def work(client: Client) -> Any:
        with pytest.raises(MCPError) as caught:
            await client.get_prompt(live.ids["voiced"], {"prodcut": "Widget"})
        tool = await client.call_tool("log_run", {"workflow": live.ids["voiced"], "rating": 9})
        return caught.value, tool

    refused, tool = over_http(live, live.ids["member_token"], mode, work)
    assert refused.message == "Check these inputs: prodcut, product."
    assert refused.data["fields"]["prodcut"] == ["'prodcut' is not an input of this workflow."]
    assert tool.is_error is True
    assert tool.content[0].text == "Check the figures."
    assert tool.structured_content["error"]["fields"] == {"rating": ["The rating is 1 to 5 stars."]}


@pytest.mark.parametrize("token", ["revoked_token", None])
def test_a_revoked_or_missing_token_gets_401(live, token):
    headers = {"Authorization": f"Bearer {live.ids[token]}"} if token else {}
    body = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    response = httpx2.post(live.url, json=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"].startswith("Missing, unknown or revoked")
    # The SDK's client hears the same refusal.
    with pytest.raises(BaseExceptionGroup) as caught:
        over_http(live, live.ids[token] if token else "", "legacy", prompt_names)
    assert "Missing, unknown or revoked token" in repr(leaves(caught.value))


def leaves(group: BaseException) -> list[BaseException]:
    if isinstance(group, BaseExceptionGroup):
        return [leaf for inner in group.exceptions for leaf in leaves(inner)]
    return [group]


def test_nothing_of_the_other_organisation_is_listed_or_read(live):
    ids = live.ids

    async def work(client: Client) -> list[str]:
        texts = [
            (await client.list_prompts()).model_dump_json(),
            (await client.list_resources()).model_dump_json(),
            (await client.call_tool("search_library", {})).model_dump_json(),
        ]
        for resource in (await client.list_resources()).resources:
            texts.append((await client.read_resource(resource.uri)).model_dump_json())
        with pytest.raises(MCPError, match="Not found"):
            await client.get_prompt(ids["b_workflow"], {"product": "x"})
        return texts

    for texts in (
        over_http(live, ids["member_token"], "legacy", work),
        over_stdio(live, ids["member_email"], "auto", work),
    ):
        assert not [text for text in texts if CANARY in text or "bravo" in text]
    # The control: bravo's member does see the canary.
    theirs = over_http(live, ids["b_token"], "legacy", prompt_names)
    assert any("canary" in name for name in theirs)

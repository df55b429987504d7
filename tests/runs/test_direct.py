"""Direct runs: a workflow run through a configured provider, step by step, with failures as data.

End-to-end against local fake OpenAI-compatible and Anthropic servers (loopback only, the host
explicitly allowed), and against the fake provider for the failure cases.
"""

from __future__ import annotations

import json

import pytest

from huddle.core.models import Event
from huddle.library.services import latest_version
from huddle.runs import direct
from huddle.runs.models import Run
from huddle.runs.providers.base import ProviderError
from huddle.runs.providers.services import ProviderFields, provider_create
from huddle.runs.services import Figures
from tests.factories import make_workflow
from tests.runs.conftest import beside
from tests.runs.servers import (
    Reply,
    anthropic_stream,
    openai_completion,
    openai_error,
    openai_stream,
)

pytestmark = pytest.mark.django_db


def provider(admin, server=None, kind="openai_compatible", **extra):
    base = (server.url + ("/v1" if kind == "openai_compatible" else "")) if server else ""
    return provider_create(
        actor=admin.actor,
        fields=ProviderFields(
            name=extra.pop("name", "Local"),
            kind=kind,
            base_url=base or "https://api.example.test/v1",
            model="test-model",
            allowed_private_host=server is not None,
        ),
        api_key="sk-test-key-123456",
    )


@pytest.fixture
def chain(editor):
    return make_workflow(
        editor,
        title="Research then write",
        kind="chain",
        visibility="org",
        steps=[
            {"name": "research", "template": "Facts about {{ product }}."},
            {"name": "post", "template": "Post from: {{ steps.research.output }}"},
        ],
        content={"system": "Be brief.", "baseline_minutes": 60},
    )


def test_direct_run_of_a_chain_through_a_local_openai_compatible_server(
    admin, member, chain, fake_server, connections
):
    config = provider(admin, fake_server)
    fake_server.queue(openai_stream(["Fact ", "one."]), openai_completion("A post."))
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "Huddle"},
        config=config,
    )
    events = list(direct.stream_step(actor=member.actor, run=run, index=0, step_outputs={}))
    assert "".join(e.delta for e in events) == "Fact one."
    assert events[-1].done
    # The person edits the first answer; the second step gets the edited text.
    fake_server.queue(openai_stream(["A ", "post."]))
    list(
        direct.stream_step(
            actor=member.actor, run=run, index=1, step_outputs={"research": "Fact one, checked."}
        )
    )
    second = fake_server.requests[-1].json()
    assert second["messages"][-1]["content"] == "Post from: Fact one, checked."
    assert second["messages"][0] == {"role": "system", "content": "Be brief."}
    finished = direct.run_finish(
        actor=member.actor,
        run=Run.objects.get(pk=run.pk),
        final_text="A post!",
        figures=Figures(minutes_spent=5, baseline_minutes=60),
        share_text=False,
    )
    assert (finished.status, finished.mode, finished.provider) == ("completed", "direct", "Local")
    assert [s.output for s in finished.steps.all()] == ["Fact one.", "A post."]
    assert finished.minutes_saved == 55
    assert {host for host, _port in connections} == {"127.0.0.1"}


def test_direct_run_through_a_local_anthropic_server(admin, member, chain, fake_server):
    config = provider(admin, fake_server, kind="anthropic", name="Claude")
    fake_server.queue(anthropic_stream(["Hello", " there"]))
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "Huddle"},
        config=config,
    )
    events = list(direct.stream_step(actor=member.actor, run=run, index=0, step_outputs={}))
    assert "".join(e.delta for e in events) == "Hello there"
    assert Run.objects.get(pk=run.pk).steps.get().output == "Hello there"


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (openai_error(429, "slow down"), "try again in a minute"),
        (openai_error(500, "boom"), "problem on its side (500)"),
        (Reply(status=200, body=b"{not json", headers={"Content-Type": "application/json"}), ""),
    ],
)
def test_provider_failures_become_a_failed_run_with_a_readable_message(
    admin, member, chain, fake_server, reply, message
):
    config = provider(admin, fake_server)
    fake_server.queue(reply)
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "Huddle"},
        config=config,
    )
    events = list(direct.stream_step(actor=member.actor, run=run, index=0, step_outputs={}))
    assert events[-1].error
    assert message in events[-1].error.lower()
    failed = Run.objects.get(pk=run.pk)
    assert failed.status == "failed"
    assert failed.error == events[-1].error
    assert "sk-test-key" not in failed.error


def test_a_timeout_is_a_failed_run(admin, member, chain, fake_provider):
    config = provider(admin)
    fake_provider.enqueue(ProviderError("provider_timeout", "The provider took too long."))
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "X"},
        config=config,
    )
    events = list(direct.stream_step(actor=member.actor, run=run, index=0, step_outputs={}))
    assert events[-1].error == "The provider took too long."
    assert Run.objects.get(pk=run.pk).status == "failed"


def test_only_the_author_continues_a_run_and_a_closed_run_stays_closed(
    admin, member, editor, chain, fake_provider
):
    config = provider(admin)
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "X"},
        config=config,
    )
    with pytest.raises(Exception, match="Not found"):
        list(direct.stream_step(actor=editor.actor, run=run, index=0, step_outputs={}))
    fake_provider.enqueue("a", "b")
    done = direct.run_direct(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "X"},
        config=config,
    )
    assert done.status == "completed"
    assert done.final_text == "b"
    with pytest.raises(Exception, match="finished"):
        list(direct.stream_step(actor=member.actor, run=done, index=0, step_outputs={}))


def test_the_pages_stream_ndjson_and_finish(admin, member, chain, fake_provider, login):
    config = provider(admin)
    client = login(member)
    page = client.get(f"/o/acme/library/{chain.slug}/run/direct/")
    assert b"Local" in page.content
    start = client.post(
        f"/o/acme/library/{chain.slug}/run/direct/",
        {"provider": str(config.public_id), "in_product": "Huddle"},
    )
    assert start.status_code == 302
    run_url = start["Location"]
    fake_provider.enqueue("Facts.", "Post.")
    streamed = client.post(f"{run_url}step/0/", headers={"Accept": "application/x-ndjson"})
    lines = [json.loads(line) for line in b"".join(streamed.streaming_content).splitlines()]
    assert lines[0] == {"delta": "Facts.", "done": False, "error": ""}
    assert lines[-1]["done"] is True
    plain = client.post(f"{run_url}step/1/", {"out_0": "Facts, edited."})
    assert plain.status_code == 302
    assert fake_provider.prompts[-1].messages[-1]["content"] == "Post from: Facts, edited."
    final = client.get(run_url)
    assert b"Save run" in final.content
    saved = client.post(
        run_url,
        {"final_text": "Post!", "minutes_spent": "4", "baseline_minutes": "60", "rating": "4"},
    )
    assert saved.status_code == 302
    run = Run.objects.get()
    assert (run.status, run.rating, run.final_text) == ("completed", 4, "Post!")
    kinds = list(
        Event.objects.filter(object_id=str(run.public_id))
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["run.recorded", "run.completed", "run.brand_checked"]
    completed = Event.objects.get(kind="run.completed")
    assert (completed.actor, completed.object_label) == (member.user, chain.title)
    assert completed.data == {"mode": "direct", "minutes_saved": 56, "rating": 4}


def test_direct_run_pages_are_private_and_viewers_cannot_start(
    admin, member, viewer, outsider, chain, login
):
    config = provider(admin)
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "X"},
        config=config,
    )
    assert login(admin).get(f"/o/acme/runs/{run.public_id}/direct/").status_code == 404
    assert login(outsider).get(f"/o/acme/runs/{run.public_id}/direct/").status_code == 404
    assert login(viewer).get(f"/o/acme/library/{chain.slug}/run/direct/").status_code == 403


def test_api_direct_run_without_streaming(admin, member, chain, fake_provider, api_client):
    provider(admin)
    fake_provider.enqueue("Facts.", "The post.")
    response = api_client(member).post(
        f"/api/v1/workflows/{chain.slug}/run",
        {"inputs": {"product": "Huddle"}},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["mode"], body["final_text"]) == (
        "completed",
        "direct",
        "The post.",
    )


def test_api_direct_run_streams_ndjson(admin, member, chain, fake_provider, api_client):
    provider(admin)
    fake_provider.enqueue("Facts.", "The post.")
    response = api_client(member).post(
        f"/api/v1/workflows/{chain.slug}/run",
        {"inputs": {"product": "Huddle"}, "stream": True},
        content_type="application/json",
    )
    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    by_step = {}
    for line in lines[:-1]:
        by_step[line["step"]] = by_step.get(line["step"], "") + line["delta"]
    assert by_step == {0: "Facts.", 1: "The post."}
    assert lines[-1]["done"] is True
    assert lines[-1]["run"]["status"] == "completed"


def test_api_direct_run_failure_and_missing_provider(
    admin, member, chain, fake_provider, api_client
):
    client = api_client(member)
    missing = client.post(
        f"/api/v1/workflows/{chain.slug}/run",
        {"inputs": {"product": "X"}},
        content_type="application/json",
    )
    assert missing.status_code == 404
    assert "No AI provider is set up" in missing.json()["error"]["message"]
    provider(admin)
    fake_provider.enqueue(ProviderError("provider_rate_limited", "Rate limited; try again."))
    failed = client.post(
        f"/api/v1/workflows/{chain.slug}/run",
        {"inputs": {"product": "X"}},
        content_type="application/json",
    )
    assert failed.status_code == 201
    assert failed.json()["status"] == "failed"
    bad_input = client.post(
        f"/api/v1/workflows/{chain.slug}/run", {"inputs": {}}, content_type="application/json"
    )
    assert bad_input.status_code == 422
    assert "product" in bad_input.json()["error"]["fields"]


# --- bad input: named next to its field, what was typed stays, nothing is written (issue 20) ---


@pytest.mark.parametrize("chosen", [None, "not-a-provider"])
def test_starting_a_direct_run_without_a_known_provider_says_so(
    admin,
    member,
    chain,
    login,
    chosen,
):
    provider(admin)
    data = {"in_product": "Huddle"} | ({"provider": chosen} if chosen else {})
    response = login(member).post(f"/o/acme/library/{chain.slug}/run/direct/", data)
    assert response.status_code == 200
    page = response.content.decode()
    expected = "Choose a provider." if chosen is None else "Choose one of the providers listed."
    assert expected in beside(page, "provider")
    assert not Run.objects.exists()


def test_finishing_a_direct_run_with_bad_minutes_keeps_what_was_typed(
    admin,
    member,
    chain,
    fake_provider,
    login,
):
    run = direct.run_start(
        actor=member.actor,
        workflow=chain,
        version=latest_version(chain),
        inputs={"product": "X"},
        config=provider(admin),
    )
    client = login(member)
    run_url = f"/o/acme/runs/{run.public_id}/direct/"
    fake_provider.enqueue("Facts.", "Post.")
    client.post(f"{run_url}step/0/")
    client.post(f"{run_url}step/1/", {"out_0": "Facts."})
    response = client.post(
        run_url, {"final_text": "Post!", "minutes_spent": "a while", "rating": "4"}
    )
    page = response.content.decode()
    assert "Time spent must be a number of minutes." in beside(page, "minutes_spent")
    assert 'value="a while"' in page
    assert '<option value="4" selected>' in page
    assert "Post!</textarea>" in page
    empty = client.post(run_url, {"final_text": "  ", "minutes_spent": "3"}).content.decode()
    assert "Paste or keep the final text you used." in empty
    assert "Required." in beside(empty, "final_text")
    run.refresh_from_db()
    assert run.status == "running"

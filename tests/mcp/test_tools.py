"""Each tool reads through the library's queries or writes through its service, with the same
rules, messages and events as the API; refusals are tool errors carrying the API's error."""

from __future__ import annotations

import pytest

from huddle.brand.models import RunBrandCheck
from huddle.capture.models import Capture
from huddle.core.models import Event
from huddle.mcp import prompts
from huddle.mcp.tools import TOOLS, call_tool, list_tools
from huddle.rituals.models import Ask
from huddle.runs.models import Mode, Run, RunStatus
from tests.mcp.helpers import small_library


@pytest.fixture
def library(editor, member):
    return small_library(editor, member)


def ok(result) -> dict:
    assert result.is_error is not True, result.content[0].text
    return result.structured_content


def refused(result) -> tuple[str, dict]:
    assert result.is_error is True
    return result.content[0].text, result.structured_content["error"]


def test_every_tool_is_listed_with_a_strict_schema():
    listed = {tool.name: tool for tool in list_tools().tools}
    assert set(listed) == set(TOOLS)
    assert listed["log_run"].input_schema["additionalProperties"] is False
    assert listed["search_library"].annotations.read_only_hint is True
    assert listed["ask_for_help"].annotations.read_only_hint is False


def test_search_finds_only_what_the_member_can_see(library, editor, member):
    found = ok(call_tool(member.actor, "search_library", {"q": "notes"}))
    assert [w["slug"] for w in found["workflows"]] == [library["private"].slug]
    assert ok(call_tool(editor.actor, "search_library", {"q": "notes"})) == {"workflows": []}
    by_kind = ok(call_tool(member.actor, "search_library", {"kind": "chain"}))
    assert by_kind == {"workflows": []}


def test_render_gives_the_prompt_and_records_nothing(library, member):
    rendered = ok(
        call_tool(
            member.actor,
            "render_workflow",
            {"slug": library["launch"].slug, "inputs": {"product": "Widget"}},
        )
    )
    assert rendered["text"].endswith("Write about Widget.")
    assert "Plain words, short sentences." in rendered["text"]
    assert not Run.objects.exists()


def test_log_run_completes_the_run_the_prompt_opened(library, member):
    got = prompts.get_prompt(member.actor, library["launch"].slug, {"product": "Widget"})
    logged = ok(
        call_tool(
            member.actor,
            "log_run",
            {
                "workflow": library["launch"].slug,
                "minutes_spent": 10,
                "baseline_minutes": 45.5,
                "rating": 4,
                "output": "Big news: Widget.",
                "final_text": "Big news: Widget is here.",
            },
        )
    )
    run = Run.objects.get()
    assert logged["run"] == got.meta["huddle/run"] == str(run.public_id)
    assert (run.mode, run.status, run.rating) == (Mode.MCP, RunStatus.COMPLETED, 4)
    assert run.minutes_saved == 35.5
    assert run.edit_ratio is not None
    assert 0 < run.edit_ratio < 1
    assert run.steps.get().output == "Big news: Widget."
    assert Event.objects.filter(kind="run.reported", actor=member.user).count() == 1
    # As the run page does, the brand check stores its score for the final text.
    assert RunBrandCheck.objects.filter(run=run).exists()
    # A second report is of another use: a new run.
    ok(call_tool(member.actor, "log_run", {"workflow": library["launch"].slug, "rating": 3}))
    assert Run.objects.count() == 2


def test_log_run_without_a_prompt_records_a_new_run_with_the_workflows_baseline(library, member):
    logged = ok(call_tool(member.actor, "log_run", {"minutes_spent": 2, "final_text": "Hi"}))
    run = Run.objects.get(public_id=logged["run"])
    assert (run.workflow, run.mode, run.status) == (None, Mode.MCP, RunStatus.COMPLETED)


def test_log_run_refuses_bad_figures_with_the_apis_messages(library, member):
    message, error = refused(call_tool(member.actor, "log_run", {"minutes_spent": -1, "rating": 0}))
    assert message == "Check the figures."
    assert error["fields"] == {
        "minutes_spent": ["Time spent must be between 0 and 10080 minutes."],
        "rating": ["The rating is 1 to 5 stars."],
    }
    message, error = refused(call_tool(member.actor, "log_run", {"rating": "5"}))
    assert message == "Check the arguments: rating."
    message, error = refused(call_tool(member.actor, "log_run", {"workflow": "nope"}))
    assert (message, error["code"]) == ("Not found.", "not_found")
    assert not Run.objects.exists()


def test_a_viewer_may_not_log_runs_or_capture(library, viewer):
    _message, error = refused(call_tool(viewer.actor, "log_run", {"rating": 5}))
    assert error["code"] == "forbidden"
    _message, error = refused(
        call_tool(viewer.actor, "capture_workflow", {"title": "x", "steps": ["y"]})
    )
    assert error["code"] == "forbidden"


def test_capture_saves_the_chat_privately_with_its_event(member):
    answer = ok(
        call_tool(
            member.actor,
            "capture_workflow",
            {
                "title": "Weekly recap",
                "steps": ["Summarise the numbers.", "Shorter."],
                "negative_constraints": "No emoji.",
                "notes": "Dates by hand.",
                "tool": "claude",
            },
        )
    )
    capture = Capture.objects.get(public_id=answer["capture"])
    assert [s["text"] for s in capture.steps] == ["Summarise the numbers.", "Shorter."]
    assert (capture.visibility, capture.tool, capture.manual_edits) == (
        "private",
        "claude",
        "Dates by hand.",
    )
    assert Event.objects.filter(kind="capture.created", actor=member.user).exists()


def test_capture_without_steps_names_the_argument(member):
    message, _error = refused(call_tool(member.actor, "capture_workflow", {"title": "x"}))
    assert message == "Check the arguments: steps."
    assert not Capture.objects.exists()


def test_brand_check_scores_the_text(library, member):
    answer = ok(call_tool(member.actor, "brand_check", {"text": "Hello there."}))
    assert 0 <= answer["score"] <= 100
    _message, error = refused(
        call_tool(member.actor, "brand_check", {"text": "x", "workflow": "nope"})
    )
    assert error["code"] == "not_found"


def test_an_anonymous_ask_stores_no_author_and_gives_its_solve_token_once(member):
    answer = ok(
        call_tool(member.actor, "ask_for_help", {"question": "Webinar prompt?", "anonymous": True})
    )
    ask = Ask.objects.get(public_id=answer["ask"])
    assert ask.author is None
    assert ask.anonymous
    assert answer["solve_token"].startswith("ask_")
    assert Event.objects.get(kind="ask.created").actor is None


def test_unknown_arguments_are_refused_not_ignored(member):
    _message, error = refused(
        call_tool(member.actor, "ask_for_help", {"question": "x", "anonymus": True})
    )
    assert error["fields"] == {"anonymus": ["Not an argument of this tool."]}
    assert not Ask.objects.exists()

"""Tools: search and render the library, log a run, capture a chat, check the brand, ask for help.

Each tool's arguments are a strict pydantic model (its JSON schema is the tool's ``inputSchema``);
each call reads through ``queries``/``policy`` or writes through the service the page and the API
use, so the same rules, messages and ``Event``s apply. A refusal comes back as a tool error
(``isError``) whose text is the API's message and whose structured content is the API's
``{"error": {code, message, fields}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, Literal

import mcp_types as types
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt
from pydantic import ValidationError as PydanticError

from huddle.accounts.policy import Actor
from huddle.brand import services as brand_services
from huddle.capture import services as capture_services
from huddle.capture.services import CaptureData
from huddle.core.errors import HuddleError
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.library.rendering import render_version
from huddle.mcp.errors import invalid_arguments, refuse_nul
from huddle.rituals import services as rituals_services
from huddle.runs import assistant
from huddle.runs.services import Figures

SEARCH_LIMIT = 20
ASK = "ask_for_help"  # its requests leave no trace that could name the asker (http.py)
Minutes = StrictInt | StrictFloat


class Arguments(BaseModel):
    """Tool arguments take what their schema says, nothing else (as the API's bodies do)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class SearchArgs(Arguments):
    q: str = Field("", description="Words to look for in titles, summaries, tags and steps.")
    kind: Literal["prompt", "chain", "instructions"] | None = Field(
        None, description="Only workflows of this kind."
    )
    tag: str = Field("", description="Only workflows with this tag.")


class RenderArgs(Arguments):
    slug: str = Field(description="The workflow's slug (the prompt's name).")
    inputs: dict[str, str | StrictInt | StrictFloat] = Field(
        default_factory=dict, description="The workflow's inputs by name."
    )


class LogRunArgs(Arguments):
    workflow: str = Field("", description="The workflow's slug; empty for an ad-hoc prompt.")
    minutes_spent: Minutes | None = Field(None, description="Minutes the task took with AI.")
    baseline_minutes: Minutes | None = Field(
        None, description="Minutes it takes without AI (default: the workflow's own figure)."
    )
    rating: StrictInt | None = Field(None, description="How good the result was, 1 to 5.")
    output: str = Field("", description="The AI's answer.")
    final_text: str = Field("", description="The text actually used, after any edits.")
    run: str = Field(
        "", description="The run id a prompt gave (its _meta 'huddle/run'), when known."
    )


class CaptureArgs(Arguments):
    title: str = Field(description="A short title for what the chat did.")
    steps: Annotated[list[str], Field(min_length=1)] = Field(
        description="The prompts exactly as typed, in order."
    )
    negative_constraints: str = Field("", description="What the AI must not do.")
    notes: str = Field("", description="What was still fixed by hand afterwards.")
    goal: str = Field("", description="What the chat was for.")
    tool: Literal["chatgpt", "claude", "copilot", "gemini", "other"] = Field(
        "other", description="The assistant the chat happened in."
    )


class BrandArgs(Arguments):
    text: str = Field(description="The text to check (Markdown is fine).")
    workflow: str = Field("", description="A workflow's slug: adds its required elements.")


class AskArgs(Arguments):
    question: str = Field(description="What you need help with.")
    anonymous: StrictBool = Field(False, description="Ask without your name.")


@dataclass(frozen=True)
class ToolSpec:
    name: str
    title: str
    description: str
    arguments: type[Arguments]
    call: Callable[[Actor, Any], tuple[str, dict[str, Any]]]
    read_only: bool = False

    def as_tool(self) -> types.Tool:
        schema = self.arguments.model_json_schema()
        schema.pop("title", None)
        return types.Tool(
            name=self.name,
            title=self.title,
            description=self.description,
            input_schema=schema,
            annotations=types.ToolAnnotations(
                title=self.title,
                read_only_hint=self.read_only,
                destructive_hint=False,
                open_world_hint=False,
            ),
        )


# --- the calls: (text for the model, structured content) -----------------------------------


def _search(actor: Actor, args: SearchArgs) -> tuple[str, dict[str, Any]]:
    filters = library_queries.LibraryFilter(q=args.q, kind=args.kind or "", tag=args.tag)
    found = library_queries.search_workflows(actor, filters)
    rows = list(
        found.select_related(None).values("slug", "title", "summary", "kind", "status")[
            :SEARCH_LIMIT
        ]
    )
    if not rows:
        return "No workflow you can see matches.", {"workflows": []}
    lines = [f"- {r['slug']}: {r['title']} ({r['kind']}, {r['status']})" for r in rows]
    text = "Workflows (use a slug as the prompt's name or with render_workflow):\n"
    return text + "\n".join(lines), {"workflows": rows}


def _render(actor: Actor, args: RenderArgs) -> tuple[str, dict[str, Any]]:
    workflow = library_queries.get_workflow(actor, args.slug)
    version = library_services.latest_version(workflow)
    rendered = render_version(actor, version, args.inputs)
    steps = [{"name": step.name, "text": step.text} for step in rendered.steps]
    return rendered.as_text(), {
        "version": version.number,
        "system": rendered.system,
        "steps": steps,
        "text": rendered.as_text(),
    }


def _log_run(actor: Actor, args: LogRunArgs) -> tuple[str, dict[str, Any]]:
    figures = Figures.from_data(
        args.model_dump(include={"minutes_spent", "baseline_minutes", "rating"})
    )
    workflow = version = None
    if args.workflow.strip():
        workflow = library_queries.get_workflow(actor, args.workflow.strip())
        version = library_services.latest_version(workflow)
    run = assistant.run_report(
        actor=actor,
        workflow=workflow,
        version=version,
        output=args.output,
        final_text=args.final_text,
        figures=figures,
        run_id=args.run.strip() or None,
    )
    saved = run.minutes_saved
    text = "Run logged."
    if saved and saved > 0:
        text += f" You saved {saved:g} minutes."
    return text, {
        "run": str(run.public_id),
        "workflow": workflow.slug if workflow else None,
        "minutes_saved": saved,
        "edit_ratio": run.edit_ratio,
    }


def _capture(actor: Actor, args: CaptureArgs) -> tuple[str, dict[str, Any]]:
    data = CaptureData.from_data(
        {
            "title": args.title,
            "goal": args.goal,
            "tool": args.tool,
            "steps": [{"text": step} for step in args.steps],
            "negative_constraints": args.negative_constraints,
            "manual_edits": args.notes,
        }
    )
    capture = capture_services.capture_create(actor=actor, data=data)
    text = (
        f"Captured '{capture.title}' ({len(data.steps)} steps), private to you: share or "
        "promote it to a workflow from Huddle's Capture page."
    )
    return text, {"capture": str(capture.public_id), "title": capture.title}


def _brand(actor: Actor, args: BrandArgs) -> tuple[str, dict[str, Any]]:
    result = brand_services.brand_check(
        actor=actor, text=args.text, workflow=args.workflow.strip() or None
    )
    report = result.report.as_dict()
    lines = [f"On-brand score: {report['score']}/100."]
    for finding in report["findings"]:
        where = f" (line {finding['line']})" if finding.get("line") else ""
        hint = f" Suggestion: {finding['suggestion']}" if finding.get("suggestion") else ""
        lines.append(f"- {finding['severity']}{where}: {finding['message']}{hint}")
    return "\n".join(lines), {**report, "sources": list(result.ruleset.sources)}


def _ask(actor: Actor, args: AskArgs) -> tuple[str, dict[str, Any]]:
    ask, token = rituals_services.ask_create(
        actor=actor, text=args.question, anonymous=args.anonymous
    )
    text = "Asked. Your team sees it on the Asks board."
    if token:
        text += (
            " It carries no name. Keep this solve token to mark it solved later; it is shown "
            f"only now: {token}"
        )
    return text, {"ask": str(ask.public_id), "anonymous": ask.anonymous, "solve_token": token}


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec(
            "search_library",
            "Search the library",
            "Find the team's AI workflows you can see, by words, kind or tag.",
            SearchArgs,
            _search,
            read_only=True,
        ),
        ToolSpec(
            "render_workflow",
            "Render a workflow",
            "Fill a workflow's inputs and get its prompt(s), with the team's context. Records "
            "nothing (use the workflow's prompt, or log_run, to count a use).",
            RenderArgs,
            _render,
            read_only=True,
        ),
        ToolSpec(
            "log_run",
            "Log a run",
            "Record how a workflow went: minutes spent and without AI, a 1-5 rating, the "
            "answer and the text you used. Completes the run a prompt opened.",
            LogRunArgs,
            _log_run,
        ),
        ToolSpec(
            "capture_workflow",
            "Capture this chat",
            "Save the prompts of the chat you just had as a capture (private to you), so it "
            "can become a shared workflow.",
            CaptureArgs,
            _capture,
        ),
        ToolSpec(
            "brand_check",
            "Check the brand",
            "Check a text against the team's brand rules and glossary; gives a score and what "
            "to change.",
            BrandArgs,
            _brand,
            read_only=True,
        ),
        ToolSpec(
            ASK,
            "Ask the team",
            "Post a question to the team's Asks board, with your name or anonymously.",
            AskArgs,
            _ask,
        ),
    )
}


@cache
def list_tools() -> types.ListToolsResult:
    """The same for everyone; built once (pydantic's schemas cost milliseconds each)."""
    return types.ListToolsResult(tools=[spec.as_tool() for spec in TOOLS.values()])


def call_tool(actor: Actor, name: str, arguments: dict[str, Any] | None) -> types.CallToolResult:
    """Run tool ``name``; a refusal is a tool error carrying the API's message and error body.

    An unknown tool name is the caller's protocol error: ``KeyError``.
    """
    spec = TOOLS[name]
    try:
        refuse_nul(arguments or {})
        try:
            args = spec.arguments.model_validate(arguments or {})
        except PydanticError as error:
            raise invalid_arguments(error) from None
        text, data = spec.call(actor, args)
    except HuddleError as error:
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=error.message)],
            structured_content=error.as_dict(),
            is_error=True,
        )
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=text)], structured_content=data
    )

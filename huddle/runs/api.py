"""``/api/v1/runs``: log a copy-paste run, and list the runs the token's member may see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema, Status

from huddle.accounts import policy
from huddle.core.jsontypes import Body, Flag, Integer, IsoDatetime, Number
from huddle.core.paging import cursor_page
from huddle.library import queries as library_queries
from huddle.library import services as library_services
from huddle.runs import direct, queries, services
from huddle.runs.models import Run
from huddle.runs.providers import queries as provider_queries
from huddle.runs.services import Figures, StepRecord

router = Router(tags=["runs"])


class RunStepIn(Body):
    name: str = Field("step_1", max_length=40)
    prompt: str = ""
    output: str = ""


class RunIn(Body):
    workflow: str | None = Field(None, description="Workflow id or slug; null for an ad-hoc prompt")
    inputs: dict[str, Any] = Field(default_factory=dict)
    system_prompt: str = ""
    steps: list[RunStepIn] = Field(default_factory=list)
    output: str | None = Field(None, description="Shortcut for one step's answer")
    final_text: str = ""
    minutes_spent: Number | None = None
    baseline_minutes: Number | None = None
    rating: Integer | None = None
    rating_note: str = ""
    share_text: Flag = False
    started_at: IsoDatetime | None = None


class RunOut(Schema):
    id: UUID
    workflow: str | None
    user: str
    mode: str
    status: str
    started_at: datetime
    minutes_spent: float | None
    baseline_minutes: float | None
    minutes_saved: float | None
    edit_ratio: float | None
    rating: int | None
    model: str
    texts_visible: bool
    output: str | None
    final_text: str | None


class RunPage(Schema):
    items: list[RunOut]
    next_cursor: str | None


def _out(request: HttpRequest, run: Run) -> dict[str, Any]:
    readable = policy.can_read_run_text(request.actor, run)  # type: ignore[attr-defined]
    return {
        "id": run.public_id,
        "workflow": run.workflow.slug if run.workflow else None,
        "user": run.user.email,
        "mode": run.mode,
        "status": run.status,
        "started_at": run.started_at,
        "minutes_spent": run.minutes_spent,
        "baseline_minutes": run.baseline_minutes,
        "minutes_saved": run.minutes_saved,
        "edit_ratio": run.edit_ratio,
        "rating": run.rating,
        "model": run.model,
        "texts_visible": readable,
        "output": run.output if readable else None,
        "final_text": run.final_text if readable else None,
    }


@router.post("", response={201: RunOut}, summary="Log a run (copy-paste or done elsewhere)")
def run_create(request: HttpRequest, payload: RunIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    workflow = version = None
    if payload.workflow:
        workflow = library_queries.get_workflow(actor, payload.workflow)
        version = library_services.latest_version(workflow)
    steps = [StepRecord(s.name, s.prompt, s.output) for s in payload.steps]
    if payload.output is not None:
        steps.append(
            StepRecord("step_1" if not steps else f"step_{len(steps) + 1}", "", payload.output)
        )
    run = services.run_record(
        actor=actor,
        workflow=workflow,
        version=version,
        inputs=payload.inputs,
        system_prompt=payload.system_prompt,
        steps=steps,
        final_text=payload.final_text,
        figures=Figures.from_data(payload.dict()),
        share_text=payload.share_text,
        started_at=payload.started_at,
    )
    return Status(201, _out(request, run))


@router.get("", response=RunPage, summary="Runs you may see, newest first")
def run_list(
    request: HttpRequest, workflow: str | None = None, cursor: str | None = None, limit: int = 20
) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    runs = queries.visible_runs(actor).order_by("-started_at", "-id")
    if workflow:
        runs = runs.filter(workflow=library_queries.get_workflow(actor, workflow))
    items, next_cursor = cursor_page(
        runs, cursor=cursor, limit=limit, keyset=("-started_at", "-id")
    )
    return {"items": [_out(request, run) for run in items], "next_cursor": next_cursor}


# --- direct runs: POST /api/v1/workflows/{id}/run ------------------------------------------------

direct_router = Router(tags=["runs"])


class DirectRunIn(Body):
    inputs: dict[str, Any] = Field(default_factory=dict)
    provider: str | None = Field(None, description="Provider id or name; the default if omitted")
    stream: Flag = Field(False, description="Stream NDJSON events instead of one JSON answer")


@direct_router.post(
    "/{workflow_id}/run",
    response={201: RunOut},
    summary="Run a workflow through a configured provider (all steps, or streamed)",
)
def workflow_run(request: HttpRequest, workflow_id: str, payload: DirectRunIn) -> Any:
    actor = request.actor  # type: ignore[attr-defined]
    workflow = library_queries.get_workflow(actor, workflow_id)
    version = library_services.latest_version(workflow)
    config = provider_queries.choose_provider(actor.organization, payload.provider)
    if not payload.stream:
        run = direct.run_direct(
            actor=actor, workflow=workflow, version=version, inputs=payload.inputs, config=config
        )
        return Status(201, _out(request, run))
    run = direct.run_start(
        actor=actor, workflow=workflow, version=version, inputs=payload.inputs, config=config
    )

    def events() -> Iterator[str]:
        outputs: dict[str, str] = {}
        for index, name in enumerate(direct.step_names(actor, run)):
            for event in direct.stream_step(
                actor=actor, run=run, index=index, step_outputs=outputs
            ):
                if event.delta:
                    yield json.dumps({"step": index, "delta": event.delta}) + "\n"
                if event.error:
                    run.refresh_from_db()
                    yield json.dumps({"error": event.error, "run": _jsonable(request, run)}) + "\n"
                    return
            run.refresh_from_db()
            outputs[name] = run.output
        finished = direct.run_finish(
            actor=actor,
            run=run,
            final_text=run.output,
            figures=Figures(baseline_minutes=run.baseline_minutes),
            share_text=False,
        )
        yield json.dumps({"done": True, "run": _jsonable(request, finished)}) + "\n"

    return StreamingHttpResponse(events(), content_type="application/x-ndjson", status=201)


def _jsonable(request: HttpRequest, run: Run) -> dict[str, Any]:
    return json.loads(RunOut(**_out(request, run)).model_dump_json())

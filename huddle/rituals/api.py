"""``/api/v1/wins``, ``/api/v1/asks`` and ``/api/v1/digests``: thin adapters over the ritual's
services and queries, acting as the token's member (``request.actor``).

Anonymous asks come back with ``author: null`` to everyone; their solve token is returned once,
in the response that creates them.
"""

from __future__ import annotations

import json
from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from huddle.accounts.auth import TokenAuth
from huddle.accounts.policy import Action
from huddle.capture import queries as capture_queries
from huddle.core.accesslog import keep_out
from huddle.core.errors import ValidationFailed
from huddle.core.jsontypes import Body, Flag
from huddle.core.paging import cursor_page
from huddle.library import queries as library_queries
from huddle.rituals import delivery, digest, queries, services, weeks
from huddle.rituals.models import Ask, AskStatus
from huddle.runs import queries as runs_queries

wins_router = Router(tags=["rituals"])
asks_router = Router(tags=["rituals"])
digests_router = Router(tags=["rituals"])

# Asking and solving never mark the token used, named or anonymous alike: the write's time would
# sit beside an anonymous ask's and name its author.
UNTOUCHED = TokenAuth(touch=False)


class WinOut(Schema):
    id: UUID
    week: str
    kind: str
    title: str
    story: str
    reason: str
    suggested: bool
    nominated_by: str | None
    by: str | None
    votes: int
    chosen: bool
    minutes_saved: float | None
    url: str | None


class WeekOut(Schema):
    week: str
    voting_open: bool
    my_vote: UUID | None
    items: list[WinOut]


class NominateIn(Body):
    story: str = ""
    run: UUID | None = None
    workflow: str | None = Field(None, description="Slug or id of a workflow shared with all.")
    capture: UUID | None = None


def _week(request: HttpRequest, week: str | None) -> str:
    actor = request.actor  # type: ignore[attr-defined]
    return weeks.parse_week(week) if week else services.week_now(actor.organization)


def week_data(actor: Any, week: str) -> dict[str, Any]:
    wins = queries.candidates(actor, week)
    voted = queries.my_vote(actor, week)
    return {
        "week": week,
        "voting_open": week == services.week_now(actor.organization)
        and not any(w.chosen for w in wins),
        "my_vote": next((w.public_id for w in wins if w.pk == voted), None),
        "items": [{**digest.win_data(w), "id": w.public_id} for w in wins],
    }


@wins_router.get("", response=WeekOut, summary="The candidates of a week (default: this one)")
def wins_list(request: HttpRequest, week: str | None = None) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    week = _week(request, week)
    if week == services.week_now(actor.organization):
        services.wins_suggest(actor.organization, week)
    return week_data(actor, week)


@wins_router.post("", response={201: WinOut}, summary="Nominate a run, workflow or capture")
def wins_nominate(request: HttpRequest, payload: NominateIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    win = services.win_nominate(
        actor=actor,
        story=payload.story,
        run=runs_queries.get_run(actor, payload.run) if payload.run else None,
        workflow=library_queries.get_workflow(actor, payload.workflow)
        if payload.workflow
        else None,
        capture=capture_queries.get_capture(actor, payload.capture) if payload.capture else None,
    )
    return Status(201, {**digest.win_data(win), "id": win.public_id})


@wins_router.post("/{win_id}/vote", response=WinOut, summary="Vote (moves an earlier vote)")
def wins_vote(request: HttpRequest, win_id: str) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    win = services.win_vote(actor=actor, win=queries.get_win(actor, win_id))
    return {**digest.win_data(win), "id": win.public_id}


@wins_router.post("/{win_id}/choose", response=WinOut, summary="Pick the Win of the Week")
def wins_choose(request: HttpRequest, win_id: str) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    win = services.win_choose(actor=actor, win=queries.get_win(actor, win_id))
    return {**digest.win_data(win), "id": win.public_id}


# --- asks ------------------------------------------------------------------------------------


class AnswerOut(Schema):
    author: str
    text: str
    workflow: str | None = Field(description="Slug of the linked workflow.")
    capture: UUID | None


class AskOut(Schema):
    id: UUID
    text: str
    anonymous: bool
    author: str | None = Field(description="Null for anonymous asks, for everyone.")
    status: str
    created_at: Any
    answers: list[AnswerOut]
    matches: list[str] = Field(description="Slugs of matching workflows you can see.")
    solve_token: str | None = Field(
        None, description="Anonymous asks only, once: the secret to mark it solved."
    )


class AskPage(Schema):
    items: list[AskOut]
    next_cursor: str | None


class AskIn(Body):
    text: str
    anonymous: Flag = False


class AnswerIn(Body):
    text: str = ""
    workflow: str | None = None
    capture: UUID | None = None


class SolveIn(Body):
    token: str | None = Field(None, description="The solve token of an anonymous ask.")


def ask_data(ask: Ask, answers: list[Any], matches: list[Any]) -> dict[str, Any]:
    return {
        "id": ask.public_id,
        "text": ask.text,
        "anonymous": ask.anonymous,
        "author": None if ask.anonymous or ask.author is None else ask.author.display_name,
        "status": ask.status,
        "created_at": ask.created_at,
        "answers": [
            {
                "author": a.author.display_name,
                "text": a.text,
                "workflow": a.workflow.slug if a.workflow else None,
                "capture": a.capture.public_id if a.capture else None,
            }
            for a in answers
        ],
        "matches": [w.slug for w in matches],
    }


@asks_router.get("", response=AskPage, summary="The asks board (open, or solved), newest first")
def asks_list(
    request: HttpRequest,
    status: Literal["open", "solved"] = "open",
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    asks, next_cursor = cursor_page(
        queries.asks(actor, AskStatus(status)),
        cursor=cursor,
        limit=limit,
        keyset=("-created_at", "-id"),
    )
    board = queries.ask_views(actor, asks, AskStatus(status))
    return {
        "items": [ask_data(v.ask, v.answers, v.matches) for v in board],
        "next_cursor": next_cursor,
    }


@asks_router.post(
    "", response={201: AskOut}, summary="Ask (optionally anonymously)", auth=UNTOUCHED
)
def asks_create(request: HttpRequest, payload: AskIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    if payload.anonymous:
        keep_out(request)
    ask, token = services.ask_create(actor=actor, text=payload.text, anonymous=payload.anonymous)
    return Status(201, {**ask_data(ask, [], []), "solve_token": token or None})


@asks_router.post("/{ask_id}/answers", response={201: AskOut}, summary="Answer an ask")
def asks_answer(request: HttpRequest, ask_id: str, payload: AnswerIn) -> Status:
    actor = request.actor  # type: ignore[attr-defined]
    ask = queries.get_ask(actor, ask_id)
    services.ask_answer(
        actor=actor,
        ask=ask,
        text=payload.text,
        workflow=library_queries.get_workflow(actor, payload.workflow)
        if payload.workflow
        else None,
        capture=capture_queries.get_capture(actor, payload.capture) if payload.capture else None,
    )
    answers = queries.answers_of(ask)
    return Status(201, ask_data(ask, answers, []))


@asks_router.post(
    "/{ask_id}/solve",
    response=AskOut,
    summary='Mark solved: the named asker or an admin; anonymous asks send {"token": "ask_…"}',
    auth=UNTOUCHED,
)
def asks_solve(request: HttpRequest, ask_id: str) -> dict:
    actor = request.actor  # type: ignore[attr-defined]
    ask = queries.get_ask(actor, ask_id)
    # The body is optional (named asks send none), so it is read here rather than by a schema.
    try:
        sent = request.body if request.content_type == "application/json" else b""
        token = SolveIn(**json.loads(sent or b"{}")).token
    except (ValueError, TypeError):
        raise ValidationFailed('Send {} or {"token": "ask_…"}.') from None
    if token:
        keep_out(request)
        solved = services.ask_solve_with_token(organization=actor.organization, token=token)
        if solved.pk != ask.pk:
            raise ValidationFailed("That token belongs to another ask.")
    else:
        services.ask_solve(actor=actor, ask=ask)
    ask.refresh_from_db()
    answers = queries.answers_of(ask)
    return ask_data(ask, answers, [])


# --- digests ---------------------------------------------------------------------------------


class DigestOut(Schema):
    week: str
    status: str
    markdown: str
    html: str
    content: dict[str, Any]
    deliveries: list[dict[str, Any]] = Field(description="Admins only.")


@digests_router.get("/{week}", response=DigestOut, summary="A week's digest (drafts: admins)")
def digests_detail(request: HttpRequest, week: str) -> dict[str, Any]:
    actor = request.actor  # type: ignore[attr-defined]
    manage = actor.can(Action.MANAGE_RITUALS)
    if manage:  # admins get a draft made on first asking, as on the page
        digest.digest_draft(actor.organization, weeks.parse_week(week))
    found = queries.get_digest(actor, week)
    from huddle.context.markup import render_markdown

    return {
        "week": found.iso_week,
        "status": found.status,
        "markdown": found.markdown,
        "html": str(render_markdown(found.markdown)),
        "content": found.content,
        "deliveries": delivery.delivery_summary(found) if manage else [],
    }

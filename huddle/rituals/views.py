"""Ritual pages: this week's wins (vote with HTMX, nominate, pick), the asks board, the
digest (edit, send, deliveries and retry) and the schedule settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.capture import queries as capture_queries
from huddle.core.accesslog import keep_out
from huddle.core.errors import NotFound, ValidationFailed
from huddle.core.forms import cleaned
from huddle.core.numbers import plural
from huddle.library import queries as library_queries
from huddle.rituals import config, delivery, digest, queries, services, weeks
from huddle.rituals.forms import (
    WEEKDAY_CHOICES,
    AnswerForm,
    AskForm,
    DigestForm,
    NominateForm,
    ScheduleForm,
)
from huddle.rituals.models import AskStatus, DigestStatus, Recipients
from huddle.runs import queries as runs_queries


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _candidates_context(actor: Actor, week: str) -> dict[str, object]:
    wins = queries.candidates(actor, week)
    return {
        "week": week,
        "wins": wins,
        "my_vote": queries.my_vote(actor, week),
        "voting_open": not any(w.chosen for w in wins),
        "can_vote": actor.can(Action.TAKE_PART),
        "can_choose": actor.can(Action.MANAGE_RITUALS),
    }


@org_view()
def wins_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    week = services.week_now(actor.organization)
    services.wins_suggest(actor.organization, week)
    context = {
        **_candidates_context(actor, week),
        "week_label": weeks.label(week),
        "past": queries.past_winners(actor, week),
        "can_nominate": actor.can(Action.CREATE_CONTENT),
        "can_manage": actor.can(Action.MANAGE_RITUALS),
        "nominatable": queries.nominatable(actor) if actor.can(Action.CREATE_CONTENT) else {},
    }
    return render(request, "rituals/wins.html", context)


def _candidates_response(request: HttpRequest, actor: Actor, week: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "rituals/_candidates.html", _candidates_context(actor, week))
    return redirect("wins_index", org_slug=actor.organization.slug)


@org_view(Action.TAKE_PART)
@require_POST
def win_vote(request: HttpRequest, actor: Actor, win_id: str) -> HttpResponse:
    win = queries.get_win(actor, win_id)
    services.win_vote(actor=actor, win=win)
    return _candidates_response(request, actor, win.iso_week)


@org_view(Action.MANAGE_RITUALS)
@require_POST
def win_choose(request: HttpRequest, actor: Actor, win_id: str) -> HttpResponse:
    win = queries.get_win(actor, win_id)
    services.win_choose(actor=actor, win=win)
    messages.success(request, f"“{win.subject_title}” is the Win of the Week.")
    return redirect("wins_index", org_slug=actor.organization.slug)


@org_view(Action.CREATE_CONTENT)
@require_POST
def win_nominate(request: HttpRequest, actor: Actor) -> HttpResponse:
    posted = cleaned(NominateForm(request.POST), "Check the nomination.")
    kind, public_id = posted["subject"]
    run = workflow = capture = None
    if kind == "run":
        run = runs_queries.get_run(actor, public_id)
    elif kind == "workflow":
        workflow = library_queries.get_workflow(actor, public_id)
    elif kind == "capture":
        capture = capture_queries.get_capture(actor, public_id)
    services.win_nominate(
        actor=actor,
        story=posted["story"],
        run=run,
        workflow=workflow,
        capture=capture,
    )
    messages.success(request, "Nominated. Tell people to vote!")
    return redirect("wins_index", org_slug=actor.organization.slug)


# --- asks ------------------------------------------------------------------------------------


@org_view()
@require_http_methods(["GET", "POST"])
def asks_index(request: HttpRequest, actor: Actor) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    form = AskForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()  # "anonymous" is clean even when the text is not
        anonymous = form.cleaned_data["anonymous"]
        if anonymous:
            # Nothing of this request may name the asker: no access-log line, and no session
            # saved now (its expiry would carry the ask's time beside the asker's id).
            keep_out(request)
            request.session.modified = False
        try:
            posted = cleaned(form, "Check your question.")
            _ask, token = services.ask_create(actor=actor, text=posted["text"], anonymous=anonymous)
        except ValidationFailed as error:
            errors = error.fields or {"text": [error.message]}
        else:
            if token:
                # Shown once, right here: nothing else keeps the link.
                link = request.build_absolute_uri(
                    f"/o/{actor.organization.slug}/asks/solve/{token}/"
                )
                return _no_store(render(request, "rituals/ask_posted.html", {"link": link}))
            messages.success(request, "Asked. People whose workflows match will see it.")
            return redirect("asks_index", org_slug=actor.organization.slug)
    status = AskStatus.SOLVED if request.GET.get("status") == "solved" else AskStatus.OPEN
    board = queries.asks_board(actor, status)
    context = {
        "board": board,
        "status": status,
        "for_me": queries.asks_for_helper(board, actor.user) if status == AskStatus.OPEN else [],
        "errors": errors,
        "text": form["text"].value() or "",
        "can_ask": actor.can(Action.TAKE_PART),
        "can_answer": actor.can(Action.CREATE_CONTENT),
        "can_manage": actor.can(Action.MANAGE_RITUALS),
        "nominatable": queries.nominatable(actor) if actor.can(Action.CREATE_CONTENT) else {},
    }
    return render(request, "rituals/asks.html", context)


@org_view(Action.CREATE_CONTENT)
@require_POST
def ask_answer(request: HttpRequest, actor: Actor, ask_id: str) -> HttpResponse:
    ask = queries.get_ask(actor, ask_id)
    posted = cleaned(AnswerForm(request.POST), "Check your answer.")
    kind, public_id = posted["link"]
    workflow = library_queries.get_workflow(actor, public_id) if kind == "workflow" else None
    capture = capture_queries.get_capture(actor, public_id) if kind == "capture" else None
    services.ask_answer(
        actor=actor, ask=ask, text=posted["text"], workflow=workflow, capture=capture
    )
    messages.success(request, "Thanks for answering.")
    return redirect("asks_index", org_slug=actor.organization.slug)


@org_view(Action.TAKE_PART)
@require_POST
def ask_solve(request: HttpRequest, actor: Actor, ask_id: str) -> HttpResponse:
    services.ask_solve(actor=actor, ask=queries.get_ask(actor, ask_id))
    messages.success(request, "Marked as solved.")
    return redirect("asks_index", org_slug=actor.organization.slug)


@org_view()
@require_http_methods(["GET", "POST"])
def ask_solve_link(request: HttpRequest, actor: Actor, token: str) -> HttpResponse:
    keep_out(request)  # whoever uses the link is the asker
    if request.method == "POST":
        services.ask_solve_with_token(organization=actor.organization, token=token)
        messages.success(request, "Marked as solved. Thanks for asking!")
        return redirect("asks_index", org_slug=actor.organization.slug)
    return _no_store(render(request, "rituals/ask_solve.html", {"token": token}))


# --- the digest ------------------------------------------------------------------------------


@org_view()
def digest_current(request: HttpRequest, actor: Actor) -> HttpResponse:
    week = request.GET.get("week") or services.week_now(actor.organization)
    try:
        week = weeks.parse_week(week)
    except ValidationFailed:
        raise NotFound() from None
    if actor.can(Action.MANAGE_RITUALS):
        digest.digest_draft(actor.organization, week, actor=actor)
    elif "week" not in request.GET:
        latest = queries.latest_sent_digest(actor)
        if latest is None:
            messages.info(request, "No digest has been sent yet.")
            return redirect("wins_index", org_slug=actor.organization.slug)
        week = latest.iso_week
    return redirect("digest_detail", org_slug=actor.organization.slug, week=week)


@org_view()
@require_http_methods(["GET", "POST"])
def digest_detail(request: HttpRequest, actor: Actor, week: str) -> HttpResponse:
    found = queries.get_digest(actor, week)
    if request.method == "GET" and actor.can(Action.MANAGE_RITUALS):
        found = digest.digest_draft(actor.organization, found.iso_week, actor=actor)
    errors: dict[str, list[str]] = {}
    form = DigestForm(request.POST or None)
    if request.method == "POST":
        if not actor.can(Action.MANAGE_RITUALS):
            raise NotFound()
        try:
            posted = cleaned(form, "Check the digest.")
            if posted["action"] == "redraft":
                digest.digest_redraft(actor=actor, digest=found)
                messages.success(request, "Drafted again from this week's data.")
            else:
                digest.digest_edit(actor=actor, digest=found, markdown=posted["markdown"])
                messages.success(request, "Draft saved.")
        except ValidationFailed as error:
            errors = error.fields
        else:
            return redirect("digest_detail", org_slug=actor.organization.slug, week=found.iso_week)
    from huddle.context.markup import render_markdown

    context = {
        "digest": found,
        "body": render_markdown(found.markdown),
        "label": weeks.label(found.iso_week),
        "can_manage": actor.can(Action.MANAGE_RITUALS),
        "is_draft": found.status == DigestStatus.DRAFT,
        "stale": actor.can(Action.MANAGE_RITUALS) and digest.digest_stale(found),
        "deliveries": delivery.delivery_summary(found) if actor.can(Action.MANAGE_RITUALS) else [],
        "errors": errors,
        # After a refused edit, what was typed, not the stored draft.
        "markdown": form["markdown"].value() if errors else found.markdown,
        "prev_week": weeks.shift(found.iso_week, -1),
    }
    return render(request, "rituals/digest.html", context)


@org_view(Action.MANAGE_RITUALS)
@require_POST
def digest_send(request: HttpRequest, actor: Actor, week: str) -> HttpResponse:
    found = queries.get_digest(actor, week)
    sent = delivery.digest_send(actor=actor, digest=found)
    count = plural(len(sent), "delivery", "deliveries")
    messages.success(request, f"Sent: {count} on {'its' if len(sent) == 1 else 'their'} way.")
    return redirect("digest_detail", org_slug=actor.organization.slug, week=found.iso_week)


@org_view(Action.MANAGE_RITUALS)
@require_POST
def delivery_retry(request: HttpRequest, actor: Actor, week: str, delivery_id: int) -> HttpResponse:
    found = queries.get_digest(actor, week)
    item = queries.get_delivery(found, delivery_id)
    delivery.delivery_retry(actor=actor, delivery=item)
    messages.success(request, "Queued again.")
    return redirect("digest_detail", org_slug=actor.organization.slug, week=found.iso_week)


# --- settings --------------------------------------------------------------------------------


@org_view(Action.MANAGE_RITUALS)
@require_http_methods(["GET", "POST"])
def ritual_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = config.settings_for(actor.organization)
    errors: dict[str, list[str]] = {}
    form = ScheduleForm(request.POST or None, current=current)
    if request.method == "POST":
        try:
            posted = cleaned(form, "Check the highlighted fields.")
            config.settings_update(
                actor=actor,
                fields=form.schedule(),
                slack_url=posted["slack_url"],
                teams_url=posted["teams_url"],
                clear_slack=posted["clear_slack"],
                clear_teams=posted["clear_teams"],
            )
        except ValidationFailed as error:
            errors = error.fields or {"__all__": [error.message]}
        else:
            messages.success(request, "Ritual settings saved.")
            return redirect("ritual_settings", org_slug=actor.organization.slug)
    context = {
        "form": form,
        "settings": current,
        "errors": errors,
        "weekdays": WEEKDAY_CHOICES,
        "recipients": Recipients.choices,
    }
    return _no_store(render(request, "rituals/settings.html", context))

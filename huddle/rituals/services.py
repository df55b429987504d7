"""Writes of the ritual: nominating, voting, picking the win, and the asks board.

Rules (also in docs/design-notes.md, "Rituals"):
- Everything put on the ritual's stage is shared with the whole organisation: a nominated
  workflow or capture must have ``org`` visibility; a nominated run must be the nominator's own.
- Any member, viewers included, votes once per ISO week (the database enforces it); voting for
  another candidate moves the vote. Voting is open during the week itself until a win is chosen.
- An admin picks the Win of the Week at any time; otherwise ``week_close`` lets the vote decide
  once the week is over. Tie-break: most votes, then a nomination by a person over a suggestion,
  then the earliest put forward.
- Anonymous asks store no author anywhere: the row has none, their event has no actor and no
  data about the asker, and nothing is logged. The asker gets a one-time solve link instead.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import Organization, Visibility
from huddle.accounts.policy import Action, Actor
from huddle.accounts.tokens import hash_secret, new_secret
from huddle.capture.models import Capture
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.services import System, event_record
from huddle.library.models import Workflow
from huddle.rituals import weeks
from huddle.rituals.config import settings_for
from huddle.rituals.models import Answer, Ask, AskStatus, Vote, Win
from huddle.rituals.suggestions import suggest
from huddle.runs.models import Run

MAX_STORY = 500
MAX_ASK = 1000
MAX_ANSWER = 4000


def week_now(organization: Organization) -> str:
    """The current ISO week in the organisation's time zone."""
    return weeks.current_week(settings_for(organization).timezone)


def _shared_with_everyone(obj: Workflow | Capture, what: str) -> None:
    if obj.visibility != Visibility.ORG:
        raise ValidationFailed(
            f"Share the {what} with the whole organisation first: the ritual is for everyone.",
            fields={what: ["Not shared with the organisation."]},
        )


# --- wins -------------------------------------------------------------------------------------


def wins_suggest(organization: Organization, week: str) -> list[Win]:
    """Add this week's data-driven suggestions as candidates (idempotent)."""
    week = weeks.parse_week(week)
    created = []
    for suggestion in suggest(organization, week, settings_for(organization).timezone):
        subject = {"run": suggestion.run} if suggestion.run else {"workflow": suggestion.workflow}
        if Win.objects.filter(organization=organization, iso_week=week, **subject).exists():
            continue
        try:
            with transaction.atomic():
                created.append(
                    Win.objects.create(
                        organization=organization,
                        iso_week=week,
                        suggested=True,
                        reason=suggestion.reason,
                        **subject,
                    )
                )
        except IntegrityError:
            continue  # someone nominated or suggested it at the same moment
    return created


@transaction.atomic
def win_nominate(
    *,
    actor: Actor,
    story: str,
    run: Run | None = None,
    workflow: Workflow | None = None,
    capture: Capture | None = None,
) -> Win:
    """Put a run (your own), or a workflow or capture shared with everyone, forward this week.

    Raises ``ValidationFailed`` (no or several subjects, too long, not shared) and
    ``HuddleError("already_nominated")``; a subject the data suggested becomes a nomination.
    """
    policy.require(actor, Action.CREATE_CONTENT)
    story = (story or "").strip()
    if len(story) > MAX_STORY:
        raise ValidationFailed(
            f"Keep the story under {MAX_STORY} characters.", fields={"story": ["Too long."]}
        )
    subjects = [s for s in (run, workflow, capture) if s is not None]
    if len(subjects) != 1:
        raise ValidationFailed(
            "Nominate one run, workflow or capture.", fields={"subject": ["Choose one."]}
        )
    if run is not None and (
        run.organization_id != actor.organization.pk or run.user_id != actor.user.pk
    ):
        raise NotFound()
    for obj, what in ((workflow, "workflow"), (capture, "capture")):
        if obj is not None:
            if not policy.can_see(actor, obj):
                raise NotFound()
            _shared_with_everyone(obj, what)
    week = week_now(actor.organization)
    subject = {"run": run} if run else {"workflow": workflow} if workflow else {"capture": capture}
    existing = (
        Win.objects.select_for_update()
        .filter(organization=actor.organization, iso_week=week, **subject)
        .first()
    )
    if existing is not None and not existing.suggested:
        raise HuddleError("already_nominated", "It is already a candidate this week: vote for it.")
    if existing is not None:
        existing.suggested = False
        existing.nominated_by = actor.user
        existing.story = story
        existing.save(update_fields=["suggested", "nominated_by", "story"])
        win = existing
    else:
        win = Win.objects.create(
            organization=actor.organization,
            iso_week=week,
            nominated_by=actor.user,
            story=story,
            **subject,
        )
    event_record(actor, "win.nominated", win, week=week, subject=win.kind)
    return win


def _open_for_votes(win: Win) -> None:
    if win.iso_week != week_now(win.organization):
        raise HuddleError("week_closed", "Voting for that week is over.")
    if Win.objects.filter(organization=win.organization, iso_week=win.iso_week, chosen=True):
        raise HuddleError("week_closed", "The Win of the Week has been picked; voting is over.")


@transaction.atomic
def win_vote(*, actor: Actor, win: Win) -> Win:
    """Vote for ``win``; a vote already given this week moves to it."""
    policy.require(actor, Action.TAKE_PART)
    if win.organization_id != actor.organization.pk:
        raise NotFound()
    _open_for_votes(win)
    vote = (
        Vote.objects.select_for_update()
        .filter(organization=actor.organization, iso_week=win.iso_week, voter=actor.user)
        .first()
    )
    if vote is not None and vote.win_id == win.pk:
        return win
    if vote is not None:
        Win.objects.filter(pk=vote.win_id).update(vote_count=F("vote_count") - 1)
        vote.win = win
        vote.save(update_fields=["win"])
    else:
        try:
            with transaction.atomic():
                Vote.objects.create(
                    win=win,
                    organization=actor.organization,
                    iso_week=win.iso_week,
                    voter=actor.user,
                )
        except IntegrityError:
            raise HuddleError("already_voted", "You have already voted this week.") from None
    Win.objects.filter(pk=win.pk).update(vote_count=F("vote_count") + 1)
    event_record(actor, "win.voted", win, week=win.iso_week, moved=vote is not None)
    win.refresh_from_db()
    return win


def _choose(win: Win, chosen_by: Actor | None) -> Win:
    Win.objects.filter(organization=win.organization, iso_week=win.iso_week, chosen=True).exclude(
        pk=win.pk
    ).update(chosen=False, chosen_by=None, chosen_at=None)
    win.chosen = True
    win.chosen_by = chosen_by.user if chosen_by else None
    win.chosen_at = timezone.now()
    win.save(update_fields=["chosen", "chosen_by", "chosen_at"])
    event_record(
        chosen_by or System(win.organization),
        "win.chosen",
        win,
        week=win.iso_week,
        by="admin" if chosen_by else "vote",
    )
    return win


@transaction.atomic
def win_choose(*, actor: Actor, win: Win) -> Win:
    """An admin picks the Win of the Week (replacing an earlier pick)."""
    policy.require(actor, Action.MANAGE_RITUALS)
    if win.organization_id != actor.organization.pk:
        raise NotFound()
    return _choose(win, actor)


@transaction.atomic
def week_close(organization: Organization, week: str) -> Win | None:
    """Let the vote decide a finished week with no pick: most votes, then a person's nomination
    over a suggestion, then the earliest. No votes: no winner (the digest shows candidates)."""
    chosen = Win.objects.filter(organization=organization, iso_week=week, chosen=True).first()
    if chosen is not None:
        return chosen
    top = (
        Win.objects.select_for_update()
        .filter(organization=organization, iso_week=week, vote_count__gt=0)
        .order_by("-vote_count", "suggested", "created_at", "id")
        .first()
    )
    return _choose(top, None) if top is not None else None


# --- asks ------------------------------------------------------------------------------------


@transaction.atomic
def ask_create(*, actor: Actor, text: str, anonymous: bool = False) -> tuple[Ask, str]:
    """Ask the organisation; returns the ask and, when anonymous, its one-time solve token.

    An anonymous ask is stored without its author and its event without an actor.
    """
    policy.require(actor, Action.TAKE_PART)
    text = " ".join((text or "").split())
    if not text:
        raise ValidationFailed("Write your question.", fields={"text": ["Required."]})
    if len(text) > MAX_ASK:
        raise ValidationFailed(
            f"Keep it under {MAX_ASK} characters.", fields={"text": ["Too long."]}
        )
    token = ""
    ask = Ask(organization=actor.organization, text=text, anonymous=anonymous)
    if anonymous:
        token, _prefix = new_secret("ask")
        ask.solve_token_hash = hash_secret(token)
    else:
        ask.author = actor.user
    ask.save()
    event_record(
        System(actor.organization) if anonymous else actor, "ask.created", ask, anonymous=anonymous
    )
    return ask, token


@transaction.atomic
def ask_answer(
    *,
    actor: Actor,
    ask: Ask,
    text: str = "",
    workflow: Workflow | None = None,
    capture: Capture | None = None,
) -> Answer:
    """Answer with a workflow or capture shared with everyone, and/or a few words."""
    policy.require(actor, Action.CREATE_CONTENT)
    if ask.organization_id != actor.organization.pk:
        raise NotFound()
    text = (text or "").strip()
    if not text and workflow is None and capture is None:
        raise ValidationFailed(
            "Link a workflow or capture, or write an answer.", fields={"text": ["Required."]}
        )
    if len(text) > MAX_ANSWER:
        raise ValidationFailed(
            f"Keep it under {MAX_ANSWER} characters.", fields={"text": ["Too long."]}
        )
    for obj, what in ((workflow, "workflow"), (capture, "capture")):
        if obj is not None:
            if not policy.can_see(actor, obj):
                raise NotFound()
            _shared_with_everyone(obj, what)
    answer = Answer.objects.create(
        ask=ask, author=actor.user, text=text, workflow=workflow, capture=capture
    )
    event_record(
        actor,
        "ask.answered",
        ask,
        linked="workflow" if workflow else "capture" if capture else None,
    )
    return answer


def _solve(ask: Ask) -> Ask:
    ask.status = AskStatus.SOLVED
    ask.solved_at = timezone.now()
    ask.save(update_fields=["status", "solved_at"])
    return ask


@transaction.atomic
def ask_solve(*, actor: Actor, ask: Ask) -> Ask:
    """The named asker (or an admin) marks the ask solved."""
    if ask.organization_id != actor.organization.pk:
        raise NotFound()
    is_author = ask.author_id is not None and ask.author_id == actor.user.pk
    if not is_author and not actor.can(Action.MANAGE_RITUALS):
        raise PermissionDenied("Only the person who asked (or an admin) can mark it solved.")
    _solve(ask)
    event_record(actor, "ask.solved", ask)
    return ask


@transaction.atomic
def ask_solve_with_token(*, organization: Organization, token: str) -> Ask:
    """Solve an anonymous ask with its solve link; who used it is not recorded."""
    ask = Ask.objects.filter(
        organization=organization, anonymous=True, solve_token_hash=hash_secret(token or "")
    ).first()
    if ask is None or not token:
        raise NotFound("This solve link is not valid.")
    _solve(ask)
    event_record(System(organization), "ask.solved", ask)
    return ask

"""Reads of the ritual: the week's candidates, past winners, the asks board and its matches,
digests, and the "Win of the Week" badge panel of the library's workflow page."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.db.models import Q, QuerySet

from huddle.accounts import policy
from huddle.accounts.models import User, Visibility
from huddle.accounts.policy import Actor
from huddle.core.errors import NotFound, ValidationFailed
from huddle.library import search
from huddle.library.models import Status, Workflow
from huddle.rituals import weeks
from huddle.rituals.digest import digests_q, week_wins
from huddle.rituals.models import (
    Answer,
    Ask,
    AskStatus,
    Delivery,
    Digest,
    DigestStatus,
    Vote,
    Win,
)

MATCHES_PER_ASK = 3
ASKS_MATCHED = 30
# Words that say nothing about the workflow someone is looking for.
STOPWORDS = frozenset(
    "a an and any anyone are as at be but by can could do does for from get has have how i if in "  # noqa: SIM905
    "is it me my of on or our please prompt prompts so some someone that the there this to us use "
    "using way we what when where which who with workflow workflows would you your".split()
)


def _by_public_id(queryset: QuerySet, public_id: object) -> Any:
    try:
        key = UUID(str(public_id))
    except ValueError:
        raise NotFound() from None
    found = queryset.filter(public_id=key).first()
    if found is None:
        raise NotFound()
    return found


def get_win(actor: Actor, public_id: object) -> Win:
    return _by_public_id(
        Win.objects.filter(organization=actor.organization).select_related("organization"),
        public_id,
    )


def get_ask(actor: Actor, public_id: object) -> Ask:
    return _by_public_id(Ask.objects.filter(organization=actor.organization), public_id)


def get_digest(actor: Actor, week: str) -> Digest:
    try:
        week = weeks.parse_week(week)
    except ValidationFailed:  # a bad week in a URL is simply not found
        raise NotFound() from None
    digest = Digest.objects.filter(digests_q(actor), iso_week=week).first()
    if digest is None:
        raise NotFound()
    return digest


def latest_sent_digest(actor: Actor) -> Digest | None:
    """The newest digest sent to the organisation (what a member's "this week's digest" opens
    before the week's is sent)."""
    return Digest.objects.filter(organization=actor.organization, status=DigestStatus.SENT).first()


def get_delivery(digest: Digest, delivery_id: int) -> Delivery:
    """One delivery of ``digest`` (found with ``get_digest``); another digest's is not found."""
    found = Delivery.objects.filter(digest=digest, pk=delivery_id).first()
    if found is None:
        raise NotFound()
    return found


def answers_of(ask: Ask) -> list[Answer]:
    """The ask's answers with their authors, workflows and captures, oldest first."""
    return list(ask.answers.select_related("author", "workflow", "capture"))


def candidates(actor: Actor, week: str) -> list[Win]:
    """The week's candidates, chosen first, then by votes (suggestions after nominations)."""
    wins = list(week_wins(actor.organization, week).order_by("-chosen", *Win._meta.ordering))
    return wins


def my_vote(actor: Actor, week: str) -> int | None:
    """The id of the win the actor voted for this week, if any."""
    return (
        Vote.objects.filter(organization=actor.organization, iso_week=week, voter=actor.user)
        .values_list("win_id", flat=True)
        .first()
    )


def past_winners(actor: Actor, before: str, limit: int = 12) -> list[Win]:
    return list(
        Win.objects.filter(organization=actor.organization, chosen=True, iso_week__lt=before)
        .select_related("run__user", "run__workflow", "workflow__owner", "capture__owner")
        .order_by("-iso_week")[:limit]
    )


def nominatable(actor: Actor) -> dict[str, Any]:
    """What the actor may nominate: their recent runs, workflows and captures shared with all."""
    from huddle.capture.models import Capture
    from huddle.runs.models import Run, RunStatus

    shared = {"organization": actor.organization, "visibility": Visibility.ORG}
    return {
        "runs": Run.objects.filter(
            organization=actor.organization, user=actor.user, status=RunStatus.COMPLETED
        ).select_related("workflow")[:20],
        "workflows": Workflow.objects.filter(**shared)
        .exclude(status=Status.ARCHIVED)
        .order_by("title")[:200],
        "captures": Capture.objects.filter(**shared).order_by("title")[:200],
    }


# --- asks ------------------------------------------------------------------------------------


def keywords(text: str) -> list[str]:
    seen: list[str] = []
    for word in search.words(text):
        if len(word) > 2 and word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen[:8]


def matching_workflow_ids(organization_id: int, text: str) -> list[int]:
    """Library workflows matching an ask, best first. Search wants every word of a query, and an
    ask is a sentence, so each keyword is searched alone and workflows matching more of them
    (then with a higher score) come first. Visibility is applied by the caller."""
    hits: dict[int, list[float]] = defaultdict(list)
    for word in keywords(text):
        for pk, score in search.match(organization_id, word, limit=50):
            hits[pk].append(score)
    ranked = sorted(hits.items(), key=lambda item: (-len(item[1]), -sum(item[1]), item[0]))
    return [pk for pk, _ in ranked]


@dataclass
class AskView:
    ask: Ask
    answers: list[Answer]
    matches: list[Workflow] = field(default_factory=list)
    helpers: list[User] = field(default_factory=list)
    mine: bool = False


def _visible_in_order(actor: Actor, ids: list[int]) -> list[Workflow]:
    found = {
        w.pk: w
        for w in Workflow.objects.filter(policy.visible_q(actor), pk__in=ids)
        .exclude(status=Status.ARCHIVED)
        .select_related("owner")
    }
    return [found[pk] for pk in ids if pk in found]


def asks_board(actor: Actor, status: str = AskStatus.OPEN, limit: int = 50) -> list[AskView]:
    """The newest ``limit`` asks of ``status`` as ``ask_views``."""
    return ask_views(actor, list(asks(actor, status)[:limit]), status)


def asks(actor: Actor, status: str = AskStatus.OPEN) -> QuerySet[Ask]:
    """The organisation's asks of ``status``, newest first."""
    return Ask.objects.filter(organization=actor.organization, status=status).order_by(
        "-created_at", "-id"
    )


def ask_views(actor: Actor, asks: list[Ask], status: str = AskStatus.OPEN) -> list[AskView]:
    """``asks`` with their answers; open ones with matching workflows the actor may see and the
    likely helpers (owners of matching workflows shared with everyone)."""
    answers: dict[int, list[Answer]] = defaultdict(list)
    for answer in Answer.objects.filter(ask__in=asks).select_related(
        "author", "workflow", "capture"
    ):
        answers[answer.ask_id].append(answer)
    views = []
    for index, ask in enumerate(asks):
        view = AskView(
            ask=ask,
            answers=answers[ask.pk],
            mine=ask.author_id is not None and ask.author_id == actor.user.pk,
        )
        if status == AskStatus.OPEN and index < ASKS_MATCHED:
            ids = matching_workflow_ids(actor.organization.pk, ask.text)
            visible = _visible_in_order(actor, ids[:50])
            view.matches = visible[:MATCHES_PER_ASK]
            owners: dict[int, User] = {}
            for workflow in visible:
                if workflow.visibility == Visibility.ORG:
                    owners.setdefault(workflow.owner_id, workflow.owner)
            view.helpers = list(owners.values())[:3]
        views.append(view)
    return views


def asks_for_helper(views: list[AskView], user: User) -> list[AskView]:
    """Open asks the person could likely answer: one of their shared workflows matches."""
    return [v for v in views if any(h.pk == user.pk for h in v.helpers) and not v.mine]


# --- the library's workflow page -------------------------------------------------------------


def win_badge_panel(actor: Actor, workflow: Workflow) -> dict[str, Any] | None:
    """ "Win of the Week" on a workflow's page for each week it (or a run of it, or a capture
    promoted to it) won; hidden when it never did."""
    if workflow.visibility != Visibility.ORG:
        return None
    wins = (
        Win.objects.filter(organization=actor.organization, chosen=True)
        .filter(Q(workflow=workflow) | Q(run__workflow=workflow) | Q(capture__promoted_to=workflow))
        .order_by("-iso_week")
    )
    found = list(wins.values_list("iso_week", "story")[:10])
    if not found:
        return None
    return {"weeks": [{"week": w, "label": weeks.label(w), "story": s} for w, s in found]}

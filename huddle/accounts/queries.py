"""Reads about organisations and members, always scoped to the actor's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from huddle.accounts import policy
from huddle.accounts.models import ApiToken, Invitation, Membership, Team
from huddle.accounts.policy import Action, Actor
from huddle.core.models import Event


def members(actor: Actor) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=actor.organization)
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .order_by("user__name", "user__email")
    )


def teams(actor: Actor) -> QuerySet[Team]:
    return (
        Team.objects.filter(organization=actor.organization)
        .annotate(member_count=Count("memberships"))
        .order_by("name")
    )


def team_choices(actor: Actor) -> list[tuple[str, str]]:
    """The organisation's teams as ``(slug, name)`` pairs in name order, for a filter or a
    picker: no member count (a join and a GROUP BY that a dropdown does not show)."""
    teams = Team.objects.filter(organization=actor.organization).order_by("name")
    return list(teams.values_list("slug", "name"))


def pending_invitations(actor: Actor) -> QuerySet[Invitation]:
    policy.require(actor, Action.MANAGE_MEMBERS)
    return Invitation.objects.filter(
        organization=actor.organization,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).select_related("team", "invited_by")


def my_tokens(actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organization=actor.organization, user=actor.user).order_by(
        "revoked_at", "-created_at"
    )


@dataclass(frozen=True)
class EventFilter:
    actor_public_id: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None


def events(actor: Actor, filters: EventFilter) -> QuerySet[Event]:
    """The organisation's activity log, newest first, for admins."""
    policy.require(actor, Action.VIEW_EVENTS)
    queryset = Event.objects.filter(organization=actor.organization).select_related("actor")
    if filters.actor_public_id:
        queryset = queryset.filter(actor__public_id=filters.actor_public_id)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    tz = timezone.get_current_timezone()
    if filters.since:
        queryset = queryset.filter(created_at__gte=datetime.combine(filters.since, time.min, tz))
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time.min, tz)
        queryset = queryset.filter(created_at__lt=end)
    return queryset.order_by("-created_at", "-id")


def event_kinds(actor: Actor) -> list[str]:
    policy.require(actor, Action.VIEW_EVENTS)
    return list(
        Event.objects.filter(organization=actor.organization)
        .order_by("kind")
        .values_list("kind", flat=True)
        .distinct()
    )

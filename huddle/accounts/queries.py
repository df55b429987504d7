"""Reads about organisations and members, always scoped to the actor's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone

from huddle.accounts import oauth, policy
from huddle.accounts.models import ApiToken, Invitation, Membership, Organization, Team, User
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


def team_by_slug(organization: Organization, slug: str | None) -> Team | None:
    """The organisation's team ``slug`` (spaces at the ends and case ignored: slugs are lower
    case), or None when there is no such team or no slug. Teams are visible to every member;
    the one team look-up for pages, the API and the CLI."""
    slug = (slug or "").strip().lower()
    if not slug:
        return None
    return Team.objects.filter(organization=organization, slug=slug).first()


def team_member_ids(team: Team) -> set[int]:
    """The primary keys of the team's memberships."""
    return set(team.memberships.values_list("pk", flat=True))


def organization_teams(organization: Organization) -> QuerySet[Team]:
    """Every team of the organisation, by name (for a picker or a filter)."""
    return Team.objects.filter(organization=organization).order_by("name")


# --- the operator's look-ups (the CLI on the host and pages before sign-in) -----------------


def organization_by_slug(slug: str) -> Organization | None:
    return Organization.objects.filter(slug=slug.strip().lower()).first()


def all_organizations() -> QuerySet[Organization]:
    return Organization.objects.order_by("pk")


def user_by_email(email: str) -> User | None:
    """The account of ``email`` (case ignored), or None."""
    return User.objects.filter(email__iexact=email.strip()).first()


def memberships_of(organization: Organization) -> QuerySet[Membership]:
    """The organisation's memberships with their user and organisation loaded (to act as one)."""
    return Membership.objects.select_related("user", "organization").filter(
        organization=organization
    )


def membership_by_email(organization: Organization, email: str) -> Membership | None:
    """The membership of ``email`` (case ignored) in the organisation, or None."""
    return memberships_of(organization).filter(user__email__iexact=email.strip()).first()


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


def organization_tokens(actor: Actor) -> QuerySet[ApiToken]:
    """Every member's working API tokens in the organisation (not revoked, of an active member
    of it), for those who manage members: the most recently used first, then the never used,
    newest first."""
    policy.require(actor, Action.MANAGE_MEMBERS)
    return (
        ApiToken.objects.filter(
            organization=actor.organization,
            revoked_at=None,
            user__is_active=True,
            user__memberships__organization=actor.organization,
        )
        .select_related("user")
        .order_by(F("last_used_at").desc(nulls_last=True), "-created_at")
    )


def organization_access(actor: Actor) -> dict[str, list[dict[str, Any]]]:
    """What reaches the organisation from outside, for those who manage members: every member's
    working API tokens and connected AI apps (``oauth.live_connections``), as the API and the
    CLI list them."""
    return {
        "tokens": [
            {
                "id": t.public_id,
                "name": t.name,
                "prefix": t.prefix,
                "member": t.user.email,
                "created_at": t.created_at,
                "last_used_at": t.last_used_at,
            }
            for t in organization_tokens(actor)
        ],
        "connections": [
            {
                "id": c.pk,
                "app": c.application.name if c.application else "",
                "member": c.user.email,
                "granted_at": c.created,
            }
            for c in oauth.organization_connections(actor)
        ],
    }


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

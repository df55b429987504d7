"""Who may see and do what. The one place that decides; every view, endpoint and command asks here.

Rules:
- Anything of an organisation is invisible to non-members: they get ``NotFound`` (404), exactly as
  if it did not exist, never a 403 that would confirm it does.
- Members are ranked owner > admin > editor > member > viewer; an action names the lowest role
  that may do it (``ACTION_MIN_ROLE``). A member below it gets ``PermissionDenied`` (403).
- Only owners create or change owners, and an organisation always keeps at least one owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from huddle.accounts.models import (
    ROLE_RANK,
    ApiToken,
    Invitation,
    Membership,
    Organization,
    Role,
    Team,
    Visibility,
)
from huddle.core.errors import NotFound, PermissionDenied

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from oauth2_provider.models import AccessToken

    from huddle.accounts.models import User


class Action(StrEnum):
    VIEW_ORGANIZATION = "organization.view"
    CREATE_CONTENT = "content.create"  # workflows, context assets, captures, runs
    CURATE_CONTENT = "content.curate"  # endorse workflows, approve context, edit others' shared
    VIEW_AGGREGATES = "aggregates.view"  # organisation-wide figures (time saved, usage)
    VIEW_INSIGHTS = "insights.view"  # insights pages: aggregates and one's own profile
    VIEW_MEMBER_FIGURES = "insights.members"  # others' individual figures (profiles, lists)

    MANAGE_ORGANIZATION = "organization.manage"
    MANAGE_MEMBERS = "members.manage"
    MANAGE_TEAMS = "teams.manage"
    VIEW_EVENTS = "events.view"
    USE_API_TOKENS = "tokens.use"
    MANAGE_PROVIDERS = "providers.manage"  # LLM provider configurations and their keys
    # The weekly ritual. Voting and asking are open to viewers on purpose: the people who are
    # behind (often read-only seats) are the ones the ritual is for. Nominating and answering
    # put content forward, like creating it; picking the win, the digest and the schedule are
    # the admins'.
    TAKE_PART = "rituals.take_part"  # vote for a win, ask a question, mark your ask solved
    MANAGE_RITUALS = "rituals.manage"  # pick the win, edit and send the digest, the schedule


ACTION_MIN_ROLE: dict[Action, Role] = {
    Action.VIEW_ORGANIZATION: Role.VIEWER,
    Action.USE_API_TOKENS: Role.VIEWER,
    Action.CREATE_CONTENT: Role.MEMBER,
    Action.CURATE_CONTENT: Role.EDITOR,
    Action.VIEW_AGGREGATES: Role.ADMIN,
    Action.VIEW_INSIGHTS: Role.VIEWER,
    Action.VIEW_MEMBER_FIGURES: Role.ADMIN,
    Action.MANAGE_TEAMS: Role.ADMIN,
    Action.MANAGE_MEMBERS: Role.ADMIN,
    Action.VIEW_EVENTS: Role.ADMIN,
    Action.MANAGE_PROVIDERS: Role.ADMIN,
    Action.TAKE_PART: Role.VIEWER,
    Action.MANAGE_RITUALS: Role.ADMIN,
    Action.MANAGE_ORGANIZATION: Role.OWNER,
}


@dataclass(frozen=True)
class Actor:
    """A signed-in person acting inside one organisation, with their role there."""

    membership: Membership

    @property
    def user(self) -> User:
        return self.membership.user

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    def can(self, action: Action) -> bool:
        return can(self.membership, action)


def organizations_for(user: User | AnonymousUser) -> QuerySet[Organization]:
    """The organisations a person belongs to, in name order."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).order_by("name")


def actor_for(user: User | AnonymousUser, org_slug: str) -> Actor:
    """The person's standing in the organisation ``org_slug``; ``NotFound`` for non-members."""
    if not user.is_authenticated or not user.is_active:
        raise NotFound()
    membership = (
        Membership.objects.select_related("user", "organization")
        .filter(user=user, organization__slug=org_slug)
        .first()
    )
    if membership is None:
        raise NotFound()
    return Actor(membership)


def can(membership: Membership | None, action: Action) -> bool:
    if membership is None:
        return False
    return ROLE_RANK[Role(membership.role)] >= ROLE_RANK[ACTION_MIN_ROLE[action]]


def require(actor: Actor, action: Action) -> None:
    """Raise ``PermissionDenied`` unless the actor's role allows ``action``."""
    if not actor.can(action):
        needed = ACTION_MIN_ROLE[action].label.lower()
        raise PermissionDenied(f"This needs the {needed} role or higher.")


def assignable_roles(actor: Actor) -> list[Role]:
    """Roles this actor may give to someone: owners give any, admins any but owner."""
    if actor.role == Role.OWNER:
        return list(Role)
    if actor.can(Action.MANAGE_MEMBERS):
        return [role for role in Role if role != Role.OWNER]
    return []


def require_can_manage_member(actor: Actor, target: Membership, new_role: Role | None) -> None:
    """Check that ``actor`` may change ``target`` (to ``new_role``, or remove it when None)."""
    if target.organization_id != actor.organization.pk:
        raise NotFound()
    require(actor, Action.MANAGE_MEMBERS)
    if actor.role != Role.OWNER and (
        target.role == Role.OWNER or (new_role is not None and new_role == Role.OWNER)
    ):
        raise PermissionDenied("Only an owner can make or change owners.")


# --- owned content: workflows, context assets ------------------------------------------------


def visible_q(actor: Actor, prefix: str = "") -> Q:
    """The SQL condition for owned objects the actor may see in their organisation.

    ``org`` objects are seen by every member; ``team`` objects by the members of their team;
    ``private`` objects only by their owner. The owner always sees their own. ``prefix`` targets a
    related object (``"workflow__"``). Objects must have ``organization``, ``owner``, ``team`` and
    ``visibility`` fields.
    """
    # A subquery, not a list: the condition costs no query of its own.
    team_ids = actor.membership.teams.values("pk")
    return Q(**{f"{prefix}organization": actor.organization}) & (
        Q(**{f"{prefix}visibility": Visibility.ORG})
        | Q(**{f"{prefix}owner": actor.user})
        | Q(**{f"{prefix}visibility": Visibility.TEAM, f"{prefix}team__in": team_ids})
    )


def visible_pks(actor: Actor, model: type[Model]) -> set[int]:
    """The primary keys of the owned objects of ``model`` the actor may open (``visible_q``), in
    one query: pages that show figures of objects the viewer may not open (insights) link only
    these."""
    return set(model._default_manager.filter(visible_q(actor)).values_list("pk", flat=True))


def sharing_team(organization: Organization, visibility: str, team: Team | None) -> Team | None:
    """Check who an owned object is shared with: a known visibility, a team of the same
    organisation (another organisation's is simply not found), and a team for ``team``."""
    from huddle.core.errors import ValidationFailed

    if visibility not in Visibility.values:
        raise ValidationFailed(
            f"{visibility!r} is not a visibility; use private, team or org.",
            fields={"visibility": [f"Use one of {', '.join(Visibility.values)}."]},
        )
    if team is not None and team.organization_id != organization.pk:
        raise NotFound("No such team.")
    if visibility == Visibility.TEAM and team is None:
        raise ValidationFailed(
            "Choose the team to share with.", fields={"team": ["Required for team visibility."]}
        )
    return team


def can_see(actor: Actor, obj: object) -> bool:
    """The Python twin of ``visible_q`` for one loaded object."""
    if getattr(obj, "organization_id", None) != actor.organization.pk:
        return False
    if obj.owner_id == actor.user.pk or obj.visibility == Visibility.ORG:  # type: ignore[attr-defined]
        return True
    return (
        obj.visibility == Visibility.TEAM  # type: ignore[attr-defined]
        and obj.team_id is not None  # type: ignore[attr-defined]
        and actor.membership.teams.filter(pk=obj.team_id).exists()  # type: ignore[attr-defined]
    )


def can_edit(actor: Actor, obj: object) -> bool:
    """Owners edit their own (members and up); editors and up edit anything shared they can see."""
    if not can_see(actor, obj) or not actor.can(Action.CREATE_CONTENT):
        return False
    if obj.owner_id == actor.user.pk:  # type: ignore[attr-defined]
        return True
    return actor.can(Action.CURATE_CONTENT) and obj.visibility != Visibility.PRIVATE  # type: ignore[attr-defined]


def require_edit(actor: Actor, obj: object) -> None:
    if not can_see(actor, obj):
        raise NotFound()
    if not can_edit(actor, obj):
        raise PermissionDenied("Only its owner or an editor can change this.")


# --- runs: personal by default --------------------------------------------------------------


def runs_q(actor: Actor) -> Q:
    """Runs the actor may list: their own, and, for editors and up, runs of workflows they own.

    Listing a run shows its figures (minutes, rating, edit ratio); its texts are a separate
    question (``can_read_run_text``). Admins see organisation-wide aggregates, not others' runs.
    """
    mine = Q(organization=actor.organization, user=actor.user)
    if actor.can(Action.CURATE_CONTENT):
        return mine | Q(organization=actor.organization, workflow__owner=actor.user)
    return mine


def can_read_run_text(actor: Actor, run: object) -> bool:
    """The texts of a run (inputs, prompts, outputs, final text) are its author's, unless the
    author shared them with the owner of the workflow."""
    if getattr(run, "organization_id", None) != actor.organization.pk:
        return False
    if run.user_id == actor.user.pk:  # type: ignore[attr-defined]
        return True
    workflow = getattr(run, "workflow", None)
    return bool(
        run.share_text  # type: ignore[attr-defined]
        and workflow is not None
        and workflow.owner_id == actor.user.pk
        and actor.can(Action.CURATE_CONTENT)
    )


# --- insights: individual figures ----------------------------------------------------------


def can_view_individuals(actor: Actor | None, *, aggregate_only: bool) -> bool:
    """May the actor see other members' individual figures (profiles, power users, lists)?

    Admins and owners may, unless the organisation chose aggregate-only insights, in which case
    nobody does. ``actor=None`` is the server operator (the CLI), bound by the same setting.
    """
    if aggregate_only:
        return False
    return actor is None or actor.can(Action.VIEW_MEMBER_FIGURES)


# A team, department or region of fewer people than this shows its figures only to those who may
# see individual figures: a total of two people is close to each one's own.
MIN_GROUP = 5


def can_view_group_figures(
    actor: Actor | None, members: int, *, aggregate_only: bool, gap: int = 0
) -> bool:
    """The figures of a group (a team, a department) of ``members`` people, ``gap`` people short
    of the nearest larger group that holds it (0: none does): anyone's when it is empty or has
    ``MIN_GROUP`` or more and no larger group is within ``MIN_GROUP`` people of it (that group's
    figures minus these would be those few people's), else only for those who
    ``can_view_individuals``."""
    small = 0 < members < MIN_GROUP or 0 < gap < MIN_GROUP
    return not small or can_view_individuals(actor, aggregate_only=aggregate_only)


def can_view_member_figures(actor: Actor, user_id: int, *, aggregate_only: bool) -> bool:
    """One member's profile: always one's own; others' as ``can_view_individuals``."""
    return user_id == actor.user.pk or can_view_individuals(actor, aggregate_only=aggregate_only)


# --- scoped look-ups: an object of another organisation is simply not found ------------------


def _by_public_id(queryset: QuerySet, public_id: object) -> object:
    try:
        return queryset.get(public_id=public_id)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None


def get_membership(actor: Actor, public_id: object) -> Membership:
    queryset = Membership.objects.select_related("user", "organization").filter(
        organization=actor.organization
    )
    return _by_public_id(queryset, public_id)  # type: ignore[return-value]


def get_team(actor: Actor, public_id: object) -> Team:
    queryset = Team.objects.select_related("organization").filter(organization=actor.organization)
    return _by_public_id(queryset, public_id)  # type: ignore[return-value]


def get_invitation(actor: Actor, public_id: object) -> Invitation:
    require(actor, Action.MANAGE_MEMBERS)
    queryset = Invitation.objects.select_related("organization").filter(
        organization=actor.organization
    )
    return _by_public_id(queryset, public_id)  # type: ignore[return-value]


def get_oauth_connection(actor: Actor, token_id: int) -> AccessToken:
    """One live OAuth connection in this organisation (an AI assistant a member connected): the
    actor's own, or any member's for those who manage members; others', or another
    organisation's, are not found."""
    from huddle.accounts import oauth  # oauth builds on this module's Actor

    mine = not actor.can(Action.MANAGE_MEMBERS)
    live = oauth.live_connections(actor.organization, user=actor.user if mine else None)
    found = live.filter(pk=token_id).first()
    if found is None:
        raise NotFound()
    return found


def get_api_token(actor: Actor, public_id: object) -> ApiToken:
    """One API token in this organisation: the actor's own, or any member's for those who
    manage members (others' tokens are not found)."""
    queryset = ApiToken.objects.select_related("organization", "user").filter(
        organization=actor.organization
    )
    if not actor.can(Action.MANAGE_MEMBERS):
        queryset = queryset.filter(user=actor.user)
    return _by_public_id(queryset, public_id)  # type: ignore[return-value]

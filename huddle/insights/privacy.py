"""Privacy reads: the organisation's aggregate-only switch, members' spotlight opt-outs, and the
size of a group whose figures ``policy.can_view_group_figures`` is asked about.

``spotlight_allowed`` is the contract for the rituals app (wins of the week, shout-outs).
"""

from __future__ import annotations

from django.db.models import Count

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization, Team
from huddle.accounts.policy import Actor
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.models import InsightsSettings, SpotlightOptOut


def aggregate_only(organization: Organization) -> bool:
    return InsightsSettings.objects.filter(organization=organization, aggregate_only=True).exists()


def spotlight_allowed(membership: Membership) -> bool:
    """May this member be named in a spotlight? No when they opted out, or when the
    organisation runs insights in aggregate-only mode."""
    if aggregate_only(membership.organization):
        return False
    return not SpotlightOptOut.objects.filter(membership=membership).exists()


def group_size(scope: Scope) -> int:
    """How many people a team's or department's figures are of; 0 for the whole organisation,
    which is never too small to show."""
    if scope.team is None and scope.attribute is None:
        return 0
    return len(scope.member_ids())


def hidden_teams(actor: Actor) -> set[int]:
    """The teams whose figures ``actor`` may not see for being too small
    (``policy.can_view_group_figures``): the team filter offers them greyed out."""
    hidden = aggregate_only(actor.organization)
    if policy.can_view_individuals(actor, aggregate_only=hidden):
        return set()
    sizes = Team.objects.filter(organization=actor.organization).annotate(
        people=Count("memberships")
    )
    return {
        team.pk
        for team in sizes
        if not policy.can_view_group_figures(actor, team.people, aggregate_only=hidden)
    }

"""Privacy reads: the organisation's aggregate-only switch, members' spotlight opt-outs, and
the smallest group whose figures show to those who may not see individual figures.

``spotlight_allowed`` is the contract for the rituals app (wins of the week, shout-outs).
"""

from __future__ import annotations

from django.db.models import Count

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization, Team
from huddle.accounts.policy import Actor
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.models import InsightsSettings, SpotlightOptOut

# A team, department or region of fewer people than this shows its figures only to those who may
# see individual figures: a total of two people is close to each one's own.
MIN_GROUP = 5


def aggregate_only(organization: Organization) -> bool:
    return InsightsSettings.objects.filter(organization=organization, aggregate_only=True).exists()


def spotlight_allowed(membership: Membership) -> bool:
    """May this member be named in a spotlight? No when they opted out, or when the
    organisation runs insights in aggregate-only mode."""
    if aggregate_only(membership.organization):
        return False
    return not SpotlightOptOut.objects.filter(membership=membership).exists()


def too_small(scope: Scope) -> bool:
    """A team or department (not the whole organisation) of 1 to ``MIN_GROUP - 1`` members."""
    if scope.team is None and scope.attribute is None:
        return False
    return 0 < len(scope.member_ids()) < MIN_GROUP


def hidden_teams(actor: Actor) -> set[int]:
    """The teams whose figures ``actor`` may not see for being too small (none for those who
    may see individual figures): the team filter offers them greyed out."""
    if policy.can_view_individuals(actor, aggregate_only=aggregate_only(actor.organization)):
        return set()
    sizes = Team.objects.filter(organization=actor.organization).annotate(
        people=Count("memberships")
    )
    return {team.pk for team in sizes if 0 < team.people < MIN_GROUP}

"""Privacy reads: the organisation's aggregate-only switch, members' spotlight opt-outs, and how
exposed a group's figures are (its size, and how near a larger group holding it comes), which
``policy.can_view_group_figures`` is asked about.

``spotlight_allowed`` is the contract for the rituals app (wins of the week, shout-outs).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from huddle.accounts import policy
from huddle.accounts.models import Membership, Organization, Team
from huddle.accounts.policy import Actor
from huddle.core.numbers import plural
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.models import InsightsSettings, SpotlightOptOut
from huddle.sso.models import MemberAttributes


def aggregate_only(organization: Organization) -> bool:
    return InsightsSettings.objects.filter(organization=organization, aggregate_only=True).exists()


def spotlight_allowed(membership: Membership) -> bool:
    """May this member be named in a spotlight? No when they opted out, or when the
    organisation runs insights in aggregate-only mode."""
    if aggregate_only(membership.organization):
        return False
    return not SpotlightOptOut.objects.filter(membership=membership).exists()


# Where people sit, as MemberAttributes holds it: each value is a group insights can show.
DIVIDES = (("department", "department"), ("division", "division"), ("region", "region"))
SMALL = "fewer than {n} people"
NEAR = "within {gap} of a larger group"


@dataclass(frozen=True)
class Exposure:
    """How exposed a group's figures are: ``members`` people (0 for the whole organisation), and
    ``gap`` people short of the nearest larger group holding all of them (0: none does)."""

    members: int
    gap: int

    @property
    def too_few(self) -> bool:
        """Hidden for its own size (else, if at all, for its gap)."""
        return 0 < self.members < policy.MIN_GROUP

    def why_hidden(self) -> str:
        """What keeps the figures from those who may not see individuals', for the page."""
        if self.too_few:
            return SMALL.format(n=policy.MIN_GROUP)
        return NEAR.format(gap=plural(self.gap, "person", "people"))


def groups_of(organization: Organization) -> list[frozenset[int]]:
    """The people (user ids) of every group whose figures insights shows: the whole
    organisation, each team, and each department, division and region."""
    users = dict(Membership.objects.filter(organization=organization).values_list("pk", "user_id"))
    teams: dict[int, set[int]] = defaultdict(set)
    links = Membership.teams.through.objects.filter(membership__organization=organization)
    for team_id, membership_id in links.values_list("team_id", "membership_id"):
        teams[team_id].add(users[membership_id])
    fields = [name for name, _heading in DIVIDES]
    values: dict[tuple[str, str], set[int]] = defaultdict(set)
    rows = MemberAttributes.objects.filter(organization=organization, user_id__in=users.values())
    for user_id, *found in rows.values_list("user_id", *fields):
        for field, value in zip(fields, found, strict=True):
            if value:
                values[(field, value)].add(user_id)
    return [
        frozenset(users.values()),
        *(frozenset(people) for people in teams.values()),
        *(frozenset(people) for people in values.values()),
    ]


def exposure(scope: Scope, groups: list[frozenset[int]] | None = None) -> Exposure:
    """The scope's ``Exposure`` among ``groups`` (``groups_of`` its organisation when not given).
    The whole organisation is never too small to show."""
    if scope.team is None and scope.attribute is None:
        return Exposure(0, 0)
    people = frozenset(scope.member_ids())
    if groups is None:
        groups = groups_of(scope.organization)
    gaps = [len(group) - len(people) for group in groups if people < group]
    return Exposure(len(people), min(gaps, default=0))


def hidden_teams(actor: Actor) -> dict[int, str]:
    """The teams whose figures ``actor`` may not see (``policy.can_view_group_figures``), each
    with why: the team filter offers them greyed out."""
    hidden = aggregate_only(actor.organization)
    if policy.can_view_individuals(actor, aggregate_only=hidden):
        return {}
    groups = groups_of(actor.organization)
    found = {}
    for team in Team.objects.filter(organization=actor.organization):
        seen = exposure(Scope(actor.organization, team), groups)
        if not policy.can_view_group_figures(
            actor, seen.members, aggregate_only=hidden, gap=seen.gap
        ):
            found[team.pk] = seen.why_hidden()
    return found

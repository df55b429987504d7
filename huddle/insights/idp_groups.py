"""Insights by what the identity provider says (issue 22): its groups, which SCIM pushes as
teams, and where people sit, their department, division and region (``sso.MemberAttributes``,
from SCIM and sign-in assertions). Each row is that scope's own report, with the same privacy:
a row whose figures ``policy.can_view_group_figures`` keeps from the viewer (fewer than
``policy.MIN_GROUP`` people, or as few short of a larger group holding it: ``privacy.exposure``)
shows its name, head count and why only. A group's row links to the
overview filtered to its team."""

from __future__ import annotations

from dataclasses import dataclass

from huddle.accounts import policy
from huddle.accounts.models import Membership
from huddle.accounts.policy import Actor
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.report import build_cached
from huddle.insights.metrics.window import Window
from huddle.insights.privacy import DIVIDES, aggregate_only, exposure, groups_of
from huddle.sso.models import MemberAttributes, ScimGroup

# Each row builds (or reuses from the cache) one report: keep each table bounded.
MAX_GROUPS = 30


@dataclass(frozen=True)
class GroupRow:
    name: str
    team_slug: str | None
    members: int
    active_members: int
    runs: int
    minutes_saved: float
    # Fewer than ``policy.MIN_GROUP`` people, or as few short of a larger group, for someone who
    # may not see individual figures: only the name and head count show, and why.
    hidden: bool = False
    why_hidden: str = ""

    @property
    def active_share(self) -> float:
        return self.active_members / self.members if self.members else 0.0


@dataclass(frozen=True)
class Breakdown:
    """One table of the overview: by group, by department …; ``more`` when rows were left off."""

    key: str
    heading: str
    rows: list[GroupRow]
    more: bool = False


def _row(
    actor: Actor,
    scope: Scope,
    window: Window,
    name: str,
    team_slug: str | None,
    groups: list[frozenset[int]],
) -> GroupRow:
    seen = exposure(scope, groups)
    hidden = aggregate_only(scope.organization)
    if not policy.can_view_group_figures(actor, seen.members, aggregate_only=hidden, gap=seen.gap):
        return GroupRow(
            name, team_slug, seen.members, 0, 0, 0.0, hidden=True, why_hidden=seen.why_hidden()
        )
    divide = build_cached(actor, scope, window).divide
    return GroupRow(
        name=name,
        team_slug=team_slug,
        members=divide.members,
        active_members=divide.active_members,
        runs=sum(divide.weekly_runs),
        minutes_saved=sum(divide.weekly_minutes),
    )


def group_breakdown(
    actor: Actor, window: Window, groups: list[frozenset[int]] | None = None
) -> list[GroupRow]:
    """One row per SCIM group of the actor's organisation (at most ``MAX_GROUPS``, by name).
    ``groups``: every group's people (``privacy.groups_of``), when the caller has them."""
    groups = groups if groups is not None else groups_of(actor.organization)
    scim = ScimGroup.objects.filter(organization=actor.organization).select_related("team")
    return [
        _row(
            actor,
            Scope(actor.organization, group.team),
            window,
            group.display_name,
            group.team.slug,
            groups,
        )
        for group in scim.order_by("display_name")[:MAX_GROUPS]
    ]


def attribute_breakdown(
    actor: Actor, window: Window, name: str, groups: list[frozenset[int]] | None = None
) -> Breakdown | None:
    """One row per value of the ``name`` field (department, division, region) among the
    organisation's members, at most ``MAX_GROUPS`` by name; ``None`` when no member has one."""
    organization = actor.organization
    members = Membership.objects.filter(organization=organization).values("user_id")
    values = list(
        MemberAttributes.objects.filter(organization=organization, user_id__in=members)
        .exclude(**{name: ""})
        .values_list(name, flat=True)
        .distinct()
        .order_by(name)[: MAX_GROUPS + 1]
    )
    if not values:
        return None
    heading = dict(DIVIDES)[name]
    groups = groups if groups is not None else groups_of(organization)
    rows = [
        _row(actor, Scope(organization, attribute=(name, value)), window, value, None, groups)
        for value in values[:MAX_GROUPS]
    ]
    return Breakdown(key=name, heading=heading, rows=rows, more=len(values) > MAX_GROUPS)


def breakdowns(actor: Actor, window: Window) -> list[Breakdown]:
    """Every table the overview shows: by identity-provider group, then by department, division
    and region; a table with no rows is left out."""
    tables = []
    people = groups_of(actor.organization)
    groups = group_breakdown(actor, window, people)
    if groups:
        tables.append(Breakdown(key="group", heading="identity-provider group", rows=groups))
    for name, _heading in DIVIDES:
        table = attribute_breakdown(actor, window, name, people)
        if table is not None:
            tables.append(table)
    return tables

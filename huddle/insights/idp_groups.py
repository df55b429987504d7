"""Insights by identity-provider group (issue 22): the groups SCIM pushes (departments, regions)
are teams, so each row is the team's own report, with the same privacy. A row links to the
overview filtered to that team."""

from __future__ import annotations

from dataclasses import dataclass

from huddle.accounts.policy import Actor
from huddle.insights.metrics.data import Scope
from huddle.insights.metrics.report import build_cached
from huddle.insights.metrics.window import Window
from huddle.sso.models import ScimGroup

# Each row builds (or reuses from the cache) one team report: keep the table bounded.
MAX_GROUPS = 30


@dataclass(frozen=True)
class GroupRow:
    name: str
    team_slug: str
    members: int
    active_members: int
    runs: int
    minutes_saved: float

    @property
    def active_share(self) -> float:
        return self.active_members / self.members if self.members else 0.0


def group_breakdown(actor: Actor, window: Window) -> list[GroupRow]:
    """One row per SCIM group of the actor's organisation (at most ``MAX_GROUPS``, by name)."""
    groups = ScimGroup.objects.filter(organization=actor.organization).select_related("team")
    rows = []
    for group in groups.order_by("display_name")[:MAX_GROUPS]:
        report = build_cached(actor, Scope(actor.organization, group.team), window)
        divide = report.divide
        rows.append(
            GroupRow(
                name=group.display_name,
                team_slug=group.team.slug,
                members=divide.members,
                active_members=divide.active_members,
                runs=sum(divide.weekly_runs),
                minutes_saved=sum(divide.weekly_minutes),
            )
        )
    return rows

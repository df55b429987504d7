"""``GET /api/v1/insights``: the report as the token's member may see it (same as the CLI)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from huddle.accounts import policy, queries
from huddle.accounts.policy import Action
from huddle.core.errors import NotFound
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.report import build_cached
from huddle.insights.metrics.window import make_window

router = Router(tags=["insights"])


@router.get("", summary="Insights for the organisation or one team")
def insights(
    request: HttpRequest, team: str = "", as_of: str = "", weeks: int | None = None
) -> dict[str, Any]:
    """Aggregates for every member; individual entries (power users, struggling members,
    know-how at risk) only for admins and owners, and never in aggregate-only mode."""
    actor = request.actor  # type: ignore[attr-defined]
    policy.require(actor, Action.VIEW_INSIGHTS)
    scope_team = None
    if team:
        scope_team = queries.team_by_slug(actor.organization, team)
        if scope_team is None:
            raise NotFound("No such team.")
    window = make_window(as_of, weeks)
    return build_cached(actor, Scope(actor.organization, scope_team), window).as_dict()

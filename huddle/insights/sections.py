"""What the overview's issue-23 sections (``insights/_issue23.html``) need beyond the report:
kept apart from ``views`` so the page's own wording can change without touching them."""

from __future__ import annotations

from typing import Any

from huddle.accounts.policy import Action, Actor
from huddle.insights.metrics.report import Report


def issue23_context(report: Report, actor: Actor) -> dict[str, Any]:
    months = report.closing.months if report.closing else []
    return {
        "can_import_usage": actor.can(Action.MANAGE_MEMBERS),
        "closing_chart": {
            "months": [m.month for m in months],
            "gini": [m.gini for m in months],
            "regular": [m.regular_share for m in months],
        },
    }

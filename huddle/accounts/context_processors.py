"""What the base layout needs: the current organisation, the switcher and the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from huddle.accounts import policy
from huddle.accounts.policy import Action

# Sections of the product; ``url_name`` is None until the issue that builds the section lands.
NAVIGATION: list[tuple[str, str | None]] = [
    ("Library", "library_index"),
    ("Capture", "capture_index"),
    ("Context", "context_index"),
    ("Brand check", "brand_check"),
    ("Runs", "runs_index"),
    ("Wins", "wins_index"),
    ("Insights", "insights_overview"),
]


def organizations(request: HttpRequest) -> dict[str, object]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "current_org": actor.organization if actor else None,
        "my_organizations": policy.organizations_for(request.user),
        "navigation": NAVIGATION,
        "can_manage_members": bool(actor and actor.can(Action.MANAGE_MEMBERS)),
        "can_view_events": bool(actor and actor.can(Action.VIEW_EVENTS)),
        "can_manage_providers": bool(actor and actor.can(Action.MANAGE_PROVIDERS)),
    }

"""Privacy reads: the organisation's aggregate-only switch and members' spotlight opt-outs.

``spotlight_allowed`` is the contract for the rituals app (wins of the week, shout-outs).
"""

from __future__ import annotations

from huddle.accounts.models import Membership, Organization
from huddle.insights.models import InsightsSettings, SpotlightOptOut


def aggregate_only(organization: Organization) -> bool:
    return InsightsSettings.objects.filter(organization=organization, aggregate_only=True).exists()


def spotlight_allowed(membership: Membership) -> bool:
    """May this member be named in a spotlight? No when they opted out, or when the
    organisation runs insights in aggregate-only mode."""
    if aggregate_only(membership.organization):
        return False
    return not SpotlightOptOut.objects.filter(membership=membership).exists()

"""The power-user spotlight of the digest, and who has opted out of being featured.

Rituals sits above insights, so it reads insights directly: the spotlight is the top power user
of the insights report (``power_user_spotlight``), respecting opt-outs and aggregate-only mode
(``insights.privacy.spotlight_allowed``); when the report names nobody, the top time saver of the
week from runs, skipping anyone who opted out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Sum

from huddle.accounts.models import Membership, Organization, User
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.report import build
from huddle.insights.metrics.window import Window
from huddle.insights.privacy import spotlight_allowed
from huddle.runs.models import Run, RunStatus


@dataclass(frozen=True)
class Spotlight:
    name: str
    minutes_saved: float
    runs: int
    why: str  # one line for the digest

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


def opted_out(organization: Organization, user: User) -> bool:
    """True when ``user`` must not be featured: not a member, opted out, or aggregate-only."""
    membership = Membership.objects.filter(organization=organization, user=user).first()
    return membership is None or not spotlight_allowed(membership)


def spotlight_for(
    organization: Organization, week: str, start: datetime, end: datetime
) -> Spotlight | None:
    return power_user_spotlight(organization, week) or top_time_saver(organization, start, end)


def power_user_spotlight(organization: Organization, week: str) -> Spotlight | None:
    """The top power user of the 8 weeks ending with ``week`` (ISO ``YYYY-Www``), if any."""
    year, number = week.split("-W")
    sunday = date.fromisocalendar(int(year), int(number), 7)
    report = build(None, Scope(organization), Window(sunday, 8))
    memberships = {m.user_id: m for m in Membership.objects.filter(organization=organization)}
    for profile in sorted(report.power_users, key=lambda p: -p.score):
        membership = memberships.get(profile.user_id)
        if membership is None or not spotlight_allowed(membership):
            continue
        return Spotlight(
            name=profile.display_name,
            minutes_saved=round(profile.minutes_saved, 1),
            runs=profile.runs,
            why=(profile.reasons[0] if profile.reasons else "a power user of the team"),
        )
    return None


def top_time_saver(organization: Organization, start: datetime, end: datetime) -> Spotlight | None:
    """The person who saved the most minutes in ``[start, end)``, unless they opted out."""
    saved = ExpressionWrapper(F("baseline_minutes") - F("minutes_spent"), output_field=FloatField())
    rows = (
        Run.objects.filter(
            organization=organization,
            status=RunStatus.COMPLETED,
            started_at__gte=start,
            started_at__lt=end,
            minutes_spent__isnull=False,
            baseline_minutes__isnull=False,
        )
        .values("user")
        .annotate(saved=Sum(saved), runs=Count("id"))
        .order_by("-saved", "user")
    )
    for row in rows[:20]:
        if row["saved"] <= 0:
            return None
        user = User.objects.get(pk=row["user"])
        if opted_out(organization, user):
            continue
        return Spotlight(
            name=user.display_name,
            minutes_saved=round(row["saved"], 1),
            runs=row["runs"],
            why=f"saved {round(row['saved']):,} minutes over {row['runs']} runs this week",
        )
    return None

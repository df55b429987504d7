"""Rituals and insights, wired together (rituals sits above insights, so it may import it).

- asks per week feed the insights phases (people asking for help is a sign of a healthy team);
  anonymous asks count under user id 0: the count is what matters, never who asked;
- the digest's power-user spotlight comes from the insights report, respecting opt-outs and
  aggregate-only mode (``insights.privacy.spotlight_allowed``).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.utils import timezone

from huddle.accounts.models import Membership, Organization, User
from huddle.insights.metrics.data import Scope
from huddle.insights.metrics.report import build
from huddle.insights.metrics.window import Window
from huddle.insights.privacy import spotlight_allowed
from huddle.rituals.models import Ask
from huddle.rituals.spotlight import Spotlight

ANONYMOUS = 0


def asks_per_week(
    organization: Organization, since: datetime, until: datetime
) -> dict[tuple[int, date], int]:
    counts: Counter[tuple[int, date]] = Counter()
    rows = Ask.objects.filter(
        organization=organization, created_at__gte=since, created_at__lt=until
    ).values_list("author_id", "created_at")
    for author_id, created in rows:
        day = timezone.localtime(created).date()
        counts[(author_id or ANONYMOUS, day - timedelta(days=day.weekday()))] += 1
    return dict(counts)


def opted_out(organization: Organization, user: User) -> bool:
    membership = Membership.objects.filter(organization=organization, user=user).first()
    return membership is None or not spotlight_allowed(membership)


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

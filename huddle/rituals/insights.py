"""Asks per week feed the insights phases (people asking for help is a sign of a healthy team).

Insights sits below rituals and cannot import it, so rituals registers this counter with
``insights.hooks`` from its ``AppConfig.ready``. Anonymous asks count under user id 0: the count
is what matters, never who asked. (The digest's spotlight reads insights directly:
``rituals.spotlight``.)
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.utils import timezone

from huddle.accounts.models import Organization
from huddle.rituals.models import Ask

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

"""What captures tell insights: how many each member made, week by week."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from django.utils import timezone

from huddle.accounts.models import Organization
from huddle.capture.models import Capture


def captures_per_week(
    organization: Organization, since: datetime, until: datetime
) -> dict[tuple[int, date], int]:
    """``{(user_id, monday): count}`` of captures created in ``[since, until)``."""
    counts: Counter[tuple[int, date]] = Counter()
    rows = Capture.objects.filter(
        organization=organization, created_at__gte=since, created_at__lt=until
    ).values_list("owner_id", "created_at")
    for owner_id, created in rows:
        day = timezone.localtime(created).date()
        counts[(owner_id, day - timedelta(days=day.weekday()))] += 1
    return dict(counts)

"""What other apps record per person, read for the scope and window: workflows shared
(events), captures made, asks (a hook), on-brand scores."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from huddle.capture.insights import captures_per_week
from huddle.core.models import Event
from huddle.insights import hooks, rollup
from huddle.insights.metrics.data import history
from huddle.insights.metrics.data.scope import SHARED_VISIBILITIES, Scope
from huddle.insights.metrics.window import Window, day_start, monday


def shares(scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    """Workflows made visible to others, per person and week: ``workflow.published`` events
    and workflows created straight into a team or the organisation."""
    since, until = day_start(window.start), window.until
    events = Event.objects.filter(
        organization=scope.organization,
        created_at__gte=since,
        created_at__lt=until,
        actor_id__in=scope.user_ids(),
    ).filter(
        Q(kind="workflow.published")
        | Q(kind="workflow.created", data__visibility__in=list(SHARED_VISIBILITIES))
    )
    counts: dict[tuple[int, date], int] = defaultdict(int)
    for actor_id, created_at in events.values_list("actor_id", "created_at"):
        counts[(actor_id, monday(timezone.localtime(created_at).date()))] += 1
    return dict(counts)


def hooked(name: str, scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    return hooks.weekly_counts(name, scope.organization, day_start(window.start), window.until)


def captures_made(scope: Scope, window: Window) -> dict[tuple[int, date], int]:
    """``{(user_id, monday): count}`` of captures made in the window (capture sits below)."""
    return captures_per_week(scope.organization, day_start(window.start), window.until)


def brand_scores(scope: Scope, window: Window) -> dict[int, tuple[float, int]]:
    """Per member: (sum, count) of the on-brand scores stored on their runs in the window.

    Complete weeks come from the history (a brand check saved or removed marks its run's week
    stale, see ``insights.apps``); the live week is read each time."""
    from huddle.brand.models import RunBrandCheck

    complete, live = history.split(window)
    organization = scope.organization
    rollup.ensure(organization, complete)

    def per_user(since: datetime, until: datetime) -> dict[int, tuple[float, int]]:
        rows = (
            RunBrandCheck.objects.filter(
                run__organization=organization,
                run__started_at__gte=since,
                run__started_at__lt=until,
            )
            .values("run__user_id")
            .annotate(total=Sum("score"), n=Count("id"))
            .values_list("run__user_id", "total", "n")
        )
        return {user_id: (float(total), n) for user_id, total, n in rows}

    out: dict[int, tuple[float, int]] = {}
    if complete:
        out |= history.cached(
            scope,
            "brand",
            complete,
            lambda: per_user(day_start(complete[0]), day_start(live)),
        )
    for user_id, (total, n) in per_user(day_start(live), window.until).items():
        known_total, known_n = out.get(user_id, (0.0, 0))
        out[user_id] = (known_total + total, known_n + n)
    members = set(scope.member_ids())
    return {user_id: value for user_id, value in out.items() if user_id in members}

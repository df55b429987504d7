"""The power-user spotlight of the digest, and who has opted out of being featured.

The insights app (built separately) knows who the power users are and who asked not to be
named. Rituals can't import it (it sits above), so it plugs in here from its ``AppConfig.ready``:

- ``register_provider(fn)``: ``fn(organization, week) -> Spotlight | None``; the first provider
  that returns something wins. Providers apply their own opt-outs.
- ``register_opt_out(fn)``: ``fn(organization, user) -> bool`` (True = don't feature them).

With no provider the digest falls back to the top time saver of the week from runs, skipping
anyone an opt-out check excludes. With no opt-out check registered everyone may be featured
(there is no opt-out setting without insights).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, ExpressionWrapper, F, FloatField, Sum

if TYPE_CHECKING:
    from datetime import datetime

    from huddle.accounts.models import Organization, User


@dataclass(frozen=True)
class Spotlight:
    name: str
    minutes_saved: float
    runs: int
    why: str  # one line for the digest

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


Provider = Callable[["Organization", str], "Spotlight | None"]
OptOut = Callable[["Organization", "User"], bool]
_providers: list[Provider] = []
_opt_outs: list[OptOut] = []


def register_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_opt_out(check: OptOut) -> None:
    if check not in _opt_outs:
        _opt_outs.append(check)


def opted_out(organization: Organization, user: User) -> bool:
    return any(check(organization, user) for check in _opt_outs)


def spotlight_for(
    organization: Organization, week: str, start: datetime, end: datetime
) -> Spotlight | None:
    for provider in _providers:
        found = provider(organization, week)
        if found is not None:
            return found
    return top_time_saver(organization, start, end)


def top_time_saver(organization: Organization, start: datetime, end: datetime) -> Spotlight | None:
    """The person who saved the most minutes in ``[start, end)``, unless they opted out."""
    from huddle.accounts.models import User
    from huddle.runs.models import Run, RunStatus

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

"""Insights' own tables: the weekly roll-up of runs, its freshness markers, and privacy settings.

Insights owns no domain data. ``MemberWeek`` is a cache of SQL aggregates over ``runs.Run`` that
can be rebuilt at any time (``rollup.refresh``); ``InsightsSettings`` and ``SpotlightOptOut`` are
the privacy switches the organisation and its members control.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from huddle.accounts.models import Membership, Organization


class MemberWeek(models.Model):
    """Runs of one person on one workflow (None = ad-hoc prompts) in one week.

    Rows exist for weeks that are over (``week_start`` + 7 days ≤ now) and for the days before
    today of the week in progress (``RolledWeek.until``); they are rebuilt a whole
    (organisation, week) at a time. Today's runs are always read from ``Run``.
    """

    # Every read is by organisation and week (``mw_org_week``, which also serves the cascade of
    # an organisation's deletion), so the foreign keys carry no index of their own but the
    # user's (a person's deletion cascades here). Each index is upkeep on every roll-up row
    # written: with five of them, rolling up 1M runs took 6.7 s, with two 4.1 s.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # No database constraint: a deleted workflow leaves its runs' figures behind, as
    # ``Run.workflow`` does (SET_NULL); the key is kept for joins to owner and visibility.
    workflow = models.ForeignKey(
        "library.Workflow",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    week_start = models.DateField()  # a Monday
    runs = models.PositiveIntegerField(default=0)
    failed_runs = models.PositiveIntegerField(default=0)
    timed_runs = models.PositiveIntegerField(default=0)  # both minutes known
    minutes_saved = models.FloatField(default=0)  # sum of baseline - spent, timed runs
    baseline_sum = models.FloatField(default=0)
    spent_sum = models.FloatField(default=0)
    rating_1 = models.PositiveIntegerField(default=0)
    rating_2 = models.PositiveIntegerField(default=0)
    rating_3 = models.PositiveIntegerField(default=0)
    rating_4 = models.PositiveIntegerField(default=0)
    rating_5 = models.PositiveIntegerField(default=0)
    edited_runs = models.PositiveIntegerField(default=0)  # edit ratio known
    edit_ratio_sum = models.FloatField(default=0)
    heavy_edits = models.PositiveIntegerField(default=0)  # edit ratio ≥ 0.5

    class Meta:
        indexes = [models.Index(fields=["organization", "week_start"], name="mw_org_week")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.week_start} wf={self.workflow_id}: {self.runs}"


class RolledWeek(models.Model):
    """Marks an (organisation, week) whose ``MemberWeek`` rows are up to date.

    Deleted when a run of that week (before ``until``) is saved or deleted; the next read
    rebuilds the week.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    # None: the whole (complete) week. A day: the week in progress, its runs before that day
    # (today when rolled); today's runs are read live. Rebuilt once a day.
    until = models.DateField(null=True, blank=True)
    rolled_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "week_start"], name="rolled_week_once")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.week_start}"


class InsightsSettings(models.Model):
    """Per-organisation privacy: ``aggregate_only`` hides every individual figure of others."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="insights_settings"
    )
    aggregate_only = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Insights settings of {self.organization}"


class SpotlightOptOut(models.Model):
    """A member who asked not to be spotlighted (wins of the week, power-user shout-outs)."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="spotlight_opt_out"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"No spotlight for {self.membership_id}"

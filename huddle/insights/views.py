"""Insights pages: overview, members (table + CSV), a member, workflows, knowledge flow, phases.

Every page builds the one ``report.build`` for the actor, so privacy is applied before any
template sees a figure; pages of others' individual figures refuse those who may not see them
before building anything. Filters: ``?team=<slug>&as_of=YYYY-MM-DD&weeks=N``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from huddle.accounts import policy, queries
from huddle.accounts.models import Team
from huddle.accounts.policy import Action, Actor
from huddle.accounts.web import org_view
from huddle.core import csvsafe
from huddle.core.errors import HuddleError, NotFound, PermissionDenied, ValidationFailed
from huddle.core.forms import cleaned
from huddle.insights import idp_groups, nudges, privacy, services
from huddle.insights.forms import AggregateOnlyForm, SpotlightForm
from huddle.insights.metrics.data.scope import Scope
from huddle.insights.metrics.phases import LABELS, SEED_WORDS
from huddle.insights.metrics.report import Report, build_cached
from huddle.insights.metrics.window import Window, make_window
from huddle.insights.sections import issue23_context
from huddle.library.models import Workflow

CSV_COLUMNS = [
    "email", "name", "role", "runs", "active_weeks", "runs_per_active_week",
    "distinct_workflows", "chain_runs", "context_runs", "learning_share", "influence_runs",
    "influenced_people", "median_rating", "mean_edit_ratio", "minutes_saved", "shares",
    "captures", "score", "segment", "power_user",
]  # fmt: skip


TABLE_COLUMNS = [
    "Member", "Segment", "Score", "Runs", "Active weeks", "Workflows", "Learning", "Influence",
    "Rating", "Edited", "Time saved", "Shares",
]  # fmt: skip


def _report(request: HttpRequest, actor: Actor) -> tuple[Report, dict[str, Any]]:
    team = None
    slug = request.GET.get("team", "").strip()
    if slug:
        team = queries.team_by_slug(actor.organization, slug)
        if team is None:
            raise NotFound("No such team.")
    try:
        window = make_window(request.GET.get("as_of"), request.GET.get("weeks"))
    except ValidationFailed as error:
        problems = "; ".join(m for ms in error.fields.values() for m in ms)
        messages.error(request, f"{error.message} {problems} Showing the default period.")
        window = make_window()
    report = build_cached(actor, Scope(actor.organization, team), window)
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("format", None)
    context = {
        "report": report,
        "team_options": _team_options(actor),
        "team": team,
        "as_of": window.as_of.isoformat(),
        "weeks": window.weeks,
        "query": query.urlencode(),
        "can_manage": actor.can(Action.MANAGE_ORGANIZATION),
        "can_import_usage": actor.can(Action.MANAGE_MEMBERS),
        "phase_labels": LABELS,
        # Workflows the viewer may open: the others (shared with a team they are not in, or
        # private) show their figures but their title is text, not a link to a 404.
        "openable": policy.visible_pks(actor, Workflow),
    }
    return report, context


def _need_individuals(actor: Actor) -> None:
    """Refuse before any report is built: others' individual figures are for admins and owners,
    and for no one when the organisation chose aggregate-only insights."""
    hidden = privacy.aggregate_only(actor.organization)
    if not policy.can_view_individuals(actor, aggregate_only=hidden):
        if hidden:
            raise PermissionDenied(
                "This organisation shows insights as aggregates only: no individual figures."
            )
        raise PermissionDenied("Individual figures are for admins and owners.")


def week_labels(window: Window) -> list[str]:
    """The charts' week labels; the week in progress says so ("2026-10-05, 4 of 7 days so far"),
    so that its lower figures do not read as a collapse."""
    labels = [w.isoformat() for w in window.week_starts]
    days = window.days_in_last_week
    if days < 7:
        labels[-1] += f", {days} of 7 days so far"
    return labels


def _chart_data(report: Report) -> dict[str, Any]:
    d = report.divide
    return {
        "weeks": week_labels(report.window),
        "partial": report.window.days_in_last_week < 7,
        "phase_spans": [s.as_dict() for s in report.phase_spans],
        "active": d.weekly_active,
        "members": d.members,
        "hours": [round(m / 60, 1) for m in d.weekly_minutes],
        "lorenz": [{"x": x, "y": y} for x, y in d.lorenz_runs],
        "lorenz_minutes": [{"x": x, "y": y} for x, y in d.lorenz_minutes],
        "gini": d.weekly_gini,
    }


@org_view(Action.VIEW_INSIGHTS)
def overview(request: HttpRequest, actor: Actor) -> HttpResponse:
    report, context = _report(request, actor)
    context["chart"] = _chart_data(report)
    context["nudges"] = nudges.pending_nudges(actor)
    context.update(issue23_context(report, actor))
    if context["team"] is None:
        context["idp_breakdowns"] = idp_groups.breakdowns(actor, report.window)
    return render(request, "insights/overview.html", context)


@org_view(Action.VIEW_INSIGHTS)
def members(request: HttpRequest, actor: Actor) -> HttpResponse:
    _need_individuals(actor)
    report, context = _report(request, actor)
    rows = [p.as_dict() for p in report.members]
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"insights-members-{actor.organization.slug}-{report.window.as_of}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        writer = csvsafe.writer(response)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
        return response
    context["rows"] = list(zip(report.members, rows, strict=True))
    context["columns"] = TABLE_COLUMNS
    return render(request, "insights/members.html", context)


@org_view(Action.VIEW_INSIGHTS)
def member(request: HttpRequest, actor: Actor, membership_id: str) -> HttpResponse:
    membership = policy.get_membership(actor, membership_id)
    hidden = privacy.aggregate_only(actor.organization)
    if not policy.can_view_member_figures(actor, membership.user_id, aggregate_only=hidden):
        raise PermissionDenied(
            "This organisation shows insights as aggregates only."
            if hidden
            else "Only admins and owners see other members' figures."
        )
    report, context = _report(request, actor)
    profile = report.profile(membership.user_id)
    if profile is None:  # not in the chosen team
        raise NotFound("This member is not in that team.")
    struggle = next((s for s in report.struggling if s.profile is profile), None)
    context.update(
        {
            "profile": profile,
            "membership": membership,
            "is_me": membership.user_id == actor.user.pk,
            "spotlight": privacy.spotlight_allowed(membership),
            "struggle": struggle,
            "medians": report.medians,
            "weekly": {
                "weeks": week_labels(report.window),
                "partial": report.window.days_in_last_week < 7,
                "runs": profile.weekly_runs,
                "hours": [round(m / 60, 1) for m in profile.weekly_minutes],
            },
            "nudges": nudges.pending_nudges(actor) if membership.user_id == actor.user.pk else [],
        }
    )
    return render(request, "insights/member.html", context)


@org_view(Action.VIEW_INSIGHTS)
def me(request: HttpRequest, actor: Actor) -> HttpResponse:
    url = reverse(
        "insights_member",
        kwargs={"org_slug": actor.organization.slug, "membership_id": actor.membership.public_id},
    )
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@org_view(Action.VIEW_INSIGHTS)
def workflows(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = _report(request, actor)[1]
    return render(request, "insights/workflows.html", context)


@org_view(Action.VIEW_INSIGHTS)
def knowledge_flow(request: HttpRequest, actor: Actor) -> HttpResponse:
    _need_individuals(actor)
    context = _report(request, actor)[1]
    return render(request, "insights/flow.html", context)


@org_view(Action.VIEW_INSIGHTS)
def phases(request: HttpRequest, actor: Actor) -> HttpResponse:
    report, context = _report(request, actor)
    context["chart"] = _chart_data(report)
    context["seed_words"] = SEED_WORDS
    return render(request, "insights/phases.html", context)


@org_view(Action.MANAGE_ORGANIZATION)
@require_POST
def settings_update(request: HttpRequest, actor: Actor) -> HttpResponse:
    on = cleaned(AggregateOnlyForm(request.POST), "")["aggregate_only"]
    services.settings_update(actor=actor, aggregate_only=on)
    messages.success(
        request,
        "Insights now show aggregates only." if on else "Admins and owners see individual figures.",
    )
    return redirect("insights_overview", org_slug=actor.organization.slug)


@org_view(Action.VIEW_INSIGHTS)
@require_POST
def spotlight(request: HttpRequest, actor: Actor) -> HttpResponse:
    allowed = cleaned(SpotlightForm(request.POST), "")["allowed"]
    services.spotlight_set(actor=actor, allowed=allowed)
    messages.success(request, "You may be spotlighted." if allowed else "You won't be spotlighted.")
    return redirect("insights_me", org_slug=actor.organization.slug)


@org_view(Action.VIEW_INSIGHTS)
@require_POST
def nudge(request: HttpRequest, actor: Actor, workflow_id: str) -> HttpResponse:
    try:
        workflow = services.share_nudge(actor=actor, workflow_id=workflow_id)
    except HuddleError as error:
        if error.status != 422:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"We asked {workflow.owner.display_name} to share “{workflow.title}”."
        )
    return redirect(f"{reverse('insights_overview', args=[actor.organization.slug])}#at-risk")


def _team_options(actor: Actor) -> list[tuple[Team, str]]:
    """The team filter's options, each with why its figures are kept from the viewer ("")."""
    hidden = privacy.hidden_teams(actor)
    return [(t, hidden.get(t.pk, "")) for t in queries.organization_teams(actor.organization)]

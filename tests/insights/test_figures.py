"""The figures of a simulated team: divide, struggling, know-how at risk, sharing, phases."""

from __future__ import annotations

from datetime import timedelta

from huddle.insights.metrics.window import day_start, monday
from tests.insights.simulate import AS_OF, phased_year, standard_team


def test_the_divide_of_a_team_with_power_users_is_wide(org, report_for):
    standard_team(org)
    report = report_for(org)
    d = report.divide
    assert d.members == 23
    assert d.active_members == 19  # four of the tail never ran anything
    assert 0.5 < d.gini_runs < 0.8
    assert d.top10_share > 0.45  # 3 of 23 members hold about half the runs
    assert d.lorenz_runs[0] == (0.0, 0.0)
    assert d.lorenz_runs[-1] == (1.0, 1.0)
    assert len(d.weekly_active) == 8
    assert max(d.weekly_active) <= 19


def test_members_are_segmented_like_the_work_trend_index(org, report_for):
    standard_team(org)
    segments = report_for(org).segments
    assert segments["power_user"] == 2
    assert segments["skeptic"] == 4
    assert sum(segments.values()) == 23


def test_struggling_members_are_found_with_signals_and_suggestions(org, report_for):
    standard_team(org)
    report = report_for(org)
    by_email = {s.profile.email: s for s in report.struggling}
    assert set(by_email) == {"struggler@sim.test", "rewriter@sim.test"}
    struggler = by_email["struggler@sim.test"]
    assert any("rewrites" in s for s in struggler.signals)
    assert any("rating" in s for s in struggler.signals)
    assert any("falling" in s for s in struggler.signals)
    suggestions = struggler.suggestions
    assert len(suggestions) == 3
    assert all("email" in s.meta.tags for s in suggestions)
    assert all(s.meta.shared for s in suggestions)
    assert "ads-thing" not in [s.meta.slug for s in suggestions]


def test_high_value_private_workflows_are_know_how_at_risk(org, report_for):
    standard_team(org)
    report = report_for(org)
    assert [group.owner.email for group in report.at_risk] == ["hoarder@sim.test"]
    [workflow] = report.at_risk[0].workflows
    assert workflow.meta.slug == "hoarder-0"
    assert workflow.speedup >= 2
    assert report.gain_lost.minutes > 0


def test_most_runs_go_through_shared_workflows_in_the_standard_team(org, report_for):
    standard_team(org)
    inst = report_for(org).institution
    assert inst.runs == inst.shared_runs + inst.private_runs + inst.adhoc_runs
    assert inst.shared_share > 0.8


def test_knowledge_flow_links_authors_to_the_people_who_run_their_workflows(org, report_for):
    standard_team(org)
    flow = report_for(org).flow
    authors = {e.author.email for e in flow.edges}
    assert authors <= {"pat@sim.test", "quinn@sim.test", "hoarder@sim.test"}
    assert {c.profile.email for c in flow.connectors[:2]} == {"pat@sim.test", "quinn@sim.test"}
    assert flow.nodes
    assert flow.lines


def test_the_flow_keeps_the_strongest_links_and_counts_them_all(org, report_for, monkeypatch):
    from huddle.insights.metrics import flow as flow_module

    standard_team(org)
    every = report_for(org).flow
    monkeypatch.setattr(flow_module, "MAX_EDGES", 3)
    kept = report_for(org).flow
    assert every.links == len(every.edges) > 3
    assert kept.links == every.links
    assert [(e.author.email, e.user.email, e.runs) for e in kept.edges] == [
        (e.author.email, e.user.email, e.runs) for e in every.edges[:3]
    ]
    runs = [e.runs for e in every.edges]
    assert runs == sorted(runs, reverse=True)
    assert len(kept.lines) == len(every.lines)  # the drawing does not depend on the rows kept


def test_planted_phases_are_recognised_week_by_week(org, report_for):
    phased_year(org)
    report = report_for(org, weeks=52)
    phases = [p.phase for p in report.phases]
    assert len(phases) == 52
    assert set(phases[:12]) == {"exploration"}
    assert phases[16] == "divergence"
    assert set(phases[24:38]) == {"silo"}
    assert set(phases[-8:]) == {"institutionalised"}
    assert report.as_dict()["phase"] == "institutionalised"


def test_figures_for_a_past_as_of_do_not_change_when_later_runs_arrive(org, report_for):
    standard_team(org)
    before = report_for(org, as_of=AS_OF - timedelta(days=3)).as_dict()
    from huddle.runs.models import Run

    late = Run.objects.filter(organization=org).order_by("-started_at").first()
    Run.objects.create(
        organization=org,
        user=late.user,
        workflow=late.workflow,
        started_at=late.started_at.replace(day=AS_OF.day),
        minutes_spent=1,
        baseline_minutes=600,
    )
    after = report_for(org, as_of=AS_OF - timedelta(days=3)).as_dict()
    assert before == after
    assert report_for(org).as_dict()["time_saved_minutes"] > before["time_saved_minutes"]


def test_the_roll_up_is_rebuilt_when_a_run_of_a_rolled_week_changes(org, report_for):
    from huddle.insights.models import MemberWeek, RolledWeek
    from huddle.runs.models import Run

    standard_team(org)
    first = report_for(org).as_dict()["time_saved_minutes"]
    # 7 complete weeks of the window and 12 of lead-in; the 8th (holding as_of) is read live.
    assert RolledWeek.objects.filter(organization=org).count() == 19
    run = Run.objects.filter(organization=org, started_at__lt=day_start(monday(AS_OF))).first()
    run.baseline_minutes += 100
    run.save()  # the signal marks its week stale
    assert RolledWeek.objects.filter(organization=org).count() == 18
    assert report_for(org).as_dict()["time_saved_minutes"] == first + 100
    assert MemberWeek.objects.filter(organization=org).exists()


def test_a_teams_workflow_figures_count_only_its_members_runs(org, report_for):
    from django.db.models import Count

    from huddle.accounts.models import Membership, Team
    from huddle.insights.metrics.window import Window
    from huddle.runs.models import Run

    standard_team(org)
    report_for(org)  # the organisation's history is cached first: the team must not reuse it
    team = Team.objects.create(organization=org, slug="social", name="Social")
    people = ("quinn@sim.test", "tail0@sim.test")
    for email in people:
        Membership.objects.get(organization=org, user__email=email).teams.add(team)
    report = report_for(org, team=team)
    window = Window(AS_OF, 8)
    expected = dict(
        Run.objects.filter(
            organization=org,
            user__email__in=people,
            workflow__isnull=False,
            started_at__gte=day_start(window.start),
            started_at__lt=window.until,
        )
        .values_list("workflow__slug")
        .annotate(n=Count("id"))
    )
    assert expected
    assert {f.meta.slug: f.runs for f in report.workflows if f.runs} == expected

"""Phases on generated teams, one per phase, and the team of issue 23 that used to read as
"exploration": three power users running each other's workflows while everyone else fell away."""

from __future__ import annotations

from huddle.insights.metrics import phases as phases_module
from huddle.library.models import Kind
from tests.insights.simulate import Spec, constant, simulate


def _phases(report_for, org, weeks):
    return report_for(org, weeks=weeks).phases


def test_a_team_with_no_runs_has_no_phase_yet(org, report_for):
    simulate(org, [Spec(f"p{i}@sim.test", constant(0)) for i in range(5)], weeks=4)
    assert {p.phase for p in _phases(report_for, org, 4)} == {"none"}


def test_people_dabbling_alike_in_isolation_is_exploration(org, report_for):
    specs = [Spec(f"p{i}@sim.test", constant(1.5), owns=1) for i in range(8)]
    specs += [Spec(f"idle{i}@sim.test", constant(0)) for i in range(8)]
    simulate(org, specs, weeks=8)
    weeks = _phases(report_for, org, 8)
    assert {p.phase for p in weeks} == {"exploration"}
    assert weeks[-1].gini < phases_module.DIVERGENT_GINI
    assert weeks[-1].seed_words.startswith("Curiosity-driven")


def _power_and_rest(*, rest_rate, weeks, power=2, rest=18, power_rate=15.0):
    specs = [
        Spec(f"power{i}@sim.test", constant(power_rate), 0.85, owns=2, kind=Kind.CHAIN)
        for i in range(power)
    ]
    specs += [Spec(f"rest{i}@sim.test", rest_rate, owns=1) for i in range(rest)]
    return specs


def test_power_users_pulling_away_with_nothing_shared_is_divergence(org, report_for):
    simulate(org, _power_and_rest(rest_rate=constant(1), weeks=6), weeks=6)
    weeks = _phases(report_for, org, 6)
    assert weeks[-1].phase == "divergence"
    assert weeks[-1].reuse == 0
    assert weeks[-1].top_group == 2


def test_divergence_that_lasts_without_sharing_becomes_a_silo(org, report_for):
    simulate(org, _power_and_rest(rest_rate=constant(1), weeks=14), weeks=14)
    weeks = _phases(report_for, org, 14)
    assert weeks[5].phase == "divergence"
    assert weeks[-1].phase == "silo"
    assert weeks[-1].divergent_weeks >= phases_module.SILO_WEEKS
    assert weeks[-1].seed_words.startswith("The divide becomes cultural")


def test_shared_workflows_run_by_most_of_the_team_is_institutionalised(org, report_for):
    specs = [Spec(f"author{i}@sim.test", constant(4), owns=2, shared_from=0) for i in range(3)]
    specs += [Spec(f"user{i}@sim.test", constant(3), reuse=0.9) for i in range(12)]
    simulate(org, specs, weeks=8)
    last = _phases(report_for, org, 8)[-1]
    assert last.phase == "institutionalised"
    assert last.reuse >= phases_module.INSTITUTIONAL_REUSE
    assert last.reach >= phases_module.INSTITUTIONAL_REACH


def test_three_power_users_reusing_each_other_while_the_rest_fell_away_is_not_exploration(
    org, report_for
):
    """Issue 23's team: three people run 15-20 workflows a week, each other's mostly, everyone
    else fell from 4 a week to 0-2. Reuse over all runs is above 0.4, which used to switch off
    "divergent" and leave the team in "exploration"."""
    specs = [
        Spec(
            f"power{i}@sim.test",
            constant(15 + 2.5 * i),
            0.85,
            owns=2,
            kind=Kind.CHAIN,
            shared_from=0,
            reuse=0.7,
        )
        for i in range(3)
    ]
    specs += [
        Spec(f"rest{i}@sim.test", lambda w, i=i: 4 if w < 4 else i % 3, owns=1) for i in range(17)
    ]
    simulate(org, specs, weeks=12)
    report = report_for(org, weeks=12)
    last = report.phases[-1]
    assert last.gini >= 0.55  # the gap among the people who ran anything
    assert report.divide.weekly_gini[-1] >= 0.65  # and across the whole team, last week
    assert last.top_reuse >= 0.5  # the power users do reuse: each other's workflows
    assert last.reach < phases_module.INSTITUTIONAL_REACH  # hardly anyone else does
    assert last.phase in {"divergence", "silo"}
    assert "exploration" not in {p.phase for p in report.phases[-4:]}


def test_reuse_counted_on_the_whole_team_would_have_called_that_team_exploration(org, report_for):
    """The old measure, recomputed from the same grid, is above the threshold: the case is the
    issue's and not an easier one."""
    from huddle.insights.metrics import profiles
    from huddle.insights.metrics.data.scope import Scope
    from huddle.insights.metrics.window import Window
    from tests.insights.simulate import AS_OF

    specs = [
        Spec(f"power{i}@sim.test", constant(17), 0.85, owns=2, shared_from=0, reuse=0.7)
        for i in range(3)
    ]
    specs += [Spec(f"rest{i}@sim.test", lambda w, i=i: i % 3, owns=1) for i in range(17)]
    simulate(org, specs, weeks=8)
    material = profiles.load(Scope(org), Window(AS_OF, 8))
    last4 = slice(material.weeks.runs.shape[1] - 4, None)
    overall = material.weeks.reuse[:, last4].sum() / material.weeks.runs[:, last4].sum()
    assert overall >= phases_module.INSTITUTIONAL_REUSE
    assert phases_module.phases(material)[-1].phase != "exploration"


def test_a_gap_the_rest_share_in_is_exploration_at_first_and_divergence_once_it_lasts(
    org, report_for
):
    specs = [Spec(f"power{i}@sim.test", constant(30), owns=2, shared_from=0) for i in range(2)]
    specs += [Spec(f"user{i}@sim.test", constant(2), reuse=0.95) for i in range(18)]
    simulate(org, specs, weeks=8)
    weeks = _phases(report_for, org, 8)
    assert all(w.gini >= phases_module.DIVERGENT_GINI for w in weeks)
    assert all(w.reuse >= phases_module.INSTITUTIONAL_REUSE for w in weeks)
    assert [w.phase for w in weeks[:3]] == ["exploration"] * 3
    assert {w.phase for w in weeks[3:]} == {"divergence"}


def test_the_phases_page_states_the_rule_with_the_seeds_words_and_the_rests_reuse(
    org, admin, login
):
    simulate(org, _power_and_rest(rest_rate=constant(1), weeks=6), weeks=6)
    from tests.insights.simulate import AS_OF

    page = login(admin).get(f"/o/acme/insights/phases/?as_of={AS_OF}&weeks=6").content.decode()
    assert "the top tenth of members by runs is left out" in page
    assert "Curiosity-driven employees begin experimenting in isolation" in page
    assert "Reuse by the rest" in page
    assert "Reach" in page
    assert 'phase-divergence">Divergence' in page

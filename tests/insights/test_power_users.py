"""Power users are found from the runs, with reasons, and nobody is forced into the list."""

from __future__ import annotations

from tests.insights.simulate import standard_team, uniform_team


def test_planted_power_users_are_found_and_no_one_else(org, report_for):
    standard_team(org)
    report = report_for(org)
    assert [p.email for p in report.power_users] == ["pat@sim.test", "quinn@sim.test"]
    for p in report.power_users:
        assert p.reasons, "each power user's page says why"
        assert p.score >= 1.5


def test_a_uniform_team_has_no_power_users(org, report_for):
    uniform_team(org)
    report = report_for(org)
    assert report.power_users == []
    assert report.power_user_count == 0

"""A team, department or region of fewer than five people shows its figures only to those who
may see individual figures: for anyone else its total is close to each person's own. The page,
the API and the CLI refuse such a team view with the same message; the overview's group tables
show such a row's name and head count only."""

from __future__ import annotations

import pytest

from huddle.accounts.models import Membership, User
from huddle.accounts.policy import MIN_GROUP
from huddle.cli import run
from huddle.insights import services
from huddle.sso import services as sso
from tests.factories import TeamFactory
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"
SMALL = ["pat@sim.test", "tail0@sim.test"]
BIG = ["quinn@sim.test", "mid0@sim.test", "mid1@sim.test", "mid2@sim.test", "mid3@sim.test"]


@pytest.fixture
def placed(owner):
    """The standard team, two of them in Legal (a team too), five in Marketing."""
    org = owner.org
    standard_team(org)
    legal = TeamFactory(organization=org, slug="legal")
    marketing = TeamFactory(organization=org, slug="marketing")
    for team, department, emails in ((legal, "Legal", SMALL), (marketing, "Marketing", BIG)):
        for email in emails:
            Membership.objects.get(organization=org, user__email=email).teams.add(team)
            sso.member_attributes_set(
                organization=org,
                user=User.objects.get(email=email),
                attributes={"department": department},
                complete=True,
            )
    return org


def _departments(page) -> dict[str, object]:
    table = next(t for t in page.context["idp_breakdowns"] if t.key == "department")
    return {row.name: row for row in table.rows}


def test_admins_see_every_department_members_see_small_ones_by_head_count_only(
    placed, admin, member, login
):
    assert len(BIG) == MIN_GROUP > len(SMALL)
    rows = _departments(login(admin).get(f"/o/acme/insights/{PERIOD}"))
    assert not rows["Legal"].hidden
    assert rows["Legal"].runs > 0
    page = login(member).get(f"/o/acme/insights/{PERIOD}")
    rows = _departments(page)
    assert rows["Legal"].hidden
    assert (rows["Legal"].members, rows["Legal"].runs, rows["Legal"].minutes_saved) == (2, 0, 0)
    assert not rows["Marketing"].hidden
    assert rows["Marketing"].runs > 0
    assert "Fewer than 5 people: not shown" in page.content.decode()


def test_in_aggregate_only_mode_even_the_owner_sees_small_groups_by_head_count_only(
    placed, owner, login
):
    services.settings_update(actor=owner.actor, aggregate_only=True)
    rows = _departments(login(owner).get(f"/o/acme/insights/{PERIOD}"))
    assert rows["Legal"].hidden
    assert not rows["Marketing"].hidden


def test_a_small_teams_view_is_refused_on_the_page_the_api_and_the_cli(
    placed, owner, member, login, api_client, capsys
):
    message = "Fewer than 5 people are in this group"
    page = login(member).get(f"/o/acme/insights/{PERIOD}&team=legal")
    assert page.status_code == 403
    assert message in page.content.decode()
    assert login(member).get(f"/o/acme/insights/{PERIOD}&team=marketing").status_code == 200
    answer = api_client(member).get(f"/api/v1/insights?as_of={AS_OF}&team=legal")
    assert answer.status_code == 403
    assert message in answer.json()["error"]["message"]
    assert api_client(owner).get("/api/v1/insights?team=legal").status_code == 200
    services.settings_update(actor=owner.actor, aggregate_only=True)
    answer = api_client(owner).get("/api/v1/insights?team=legal").json()
    assert "aggregates only" in answer["error"]["message"]
    assert run(["insights", "--org", "acme", "--team", "legal", "--json"]) == 2
    assert message in capsys.readouterr().err


def test_the_team_filter_greys_out_small_teams_for_those_who_may_not_open_them(
    placed, admin, member, login
):
    html = login(member).get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert '<option value="legal" disabled>' in html
    assert "(fewer than 5 people)" in html
    assert '<option value="marketing">' in html
    assert (
        '<option value="legal">' in login(admin).get(f"/o/acme/insights/{PERIOD}").content.decode()
    )

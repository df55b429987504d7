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


# --- a group within a few people of a larger one: subtracting one total from the other --------


@pytest.fixture
def nested(placed):
    """Marketing (a team and a department of five) plus one more person in the Growth division,
    which holds the five and pat: Growth's figures minus Marketing's would be pat's own."""
    for email in [*BIG, "pat@sim.test"]:
        user = User.objects.get(email=email)
        attributes = {"department": "Marketing" if email in BIG else "Legal", "division": "Growth"}
        sso.member_attributes_set(
            organization=placed, user=user, attributes=attributes, complete=True
        )
    return placed


def test_exposure_is_the_size_and_the_gap_to_the_nearest_larger_group_holding_it(nested):
    from huddle.insights.metrics.data.scope import Scope
    from huddle.insights.privacy import exposure, groups_of

    groups = groups_of(nested)
    marketing = exposure(Scope(nested, nested.teams.get(slug="marketing")), groups)
    assert (marketing.members, marketing.gap) == (5, 1)  # Growth holds them and pat
    assert marketing.why_hidden() == "within 1 person of a larger group"
    growth = exposure(Scope(nested, attribute=("division", "Growth")), groups)
    everyone = Membership.objects.filter(organization=nested).count()
    assert (growth.members, growth.gap) == (6, everyone - 6)
    assert exposure(Scope(nested), groups) == exposure(Scope(nested), [])  # the organisation
    legal = exposure(Scope(nested, nested.teams.get(slug="legal")), groups)
    assert legal.why_hidden() == "fewer than 5 people"


def test_a_group_a_person_short_of_a_larger_one_is_kept_from_members_everywhere(
    nested, owner, member, login, api_client, capsys
):
    page = login(member).get(f"/o/acme/insights/{PERIOD}")
    rows = _departments(page)
    assert rows["Marketing"].hidden  # Growth minus Marketing would be pat
    assert (rows["Marketing"].runs, rows["Marketing"].minutes_saved) == (0, 0)
    html = page.content.decode()
    assert "Within 1 person of a larger group: not shown" in html
    assert '<option value="marketing" disabled>' in html
    assert "(within 1 person of a larger group)" in html
    divisions = next(t for t in page.context["idp_breakdowns"] if t.key == "division")
    assert not divisions.rows[0].hidden  # Growth itself shows
    assert divisions.rows[0].runs > 0
    message = "A larger group holds this one and 1 person more"
    refused = login(member).get(f"/o/acme/insights/{PERIOD}&team=marketing")
    assert refused.status_code == 403
    assert message in refused.content.decode()
    answer = api_client(member).get(f"/api/v1/insights?as_of={AS_OF}&team=marketing")
    assert answer.status_code == 403
    assert message in answer.json()["error"]["message"]
    assert login(owner).get(f"/o/acme/insights/{PERIOD}&team=marketing").status_code == 200
    services.settings_update(actor=owner.actor, aggregate_only=True)
    assert run(["insights", "--org", "acme", "--team", "marketing", "--json"]) == 2
    assert message in capsys.readouterr().err


def test_a_team_of_all_but_a_few_is_kept_too_the_organisations_total_gives_them(
    placed, member, login
):
    everyone = Membership.objects.filter(organization=placed)
    almost = TeamFactory(organization=placed, slug="almost")
    for membership in everyone.exclude(user__email__in=SMALL):
        membership.teams.add(almost)
    html = login(member).get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert '<option value="almost" disabled>' in html
    assert "(within 2 people of a larger group)" in html

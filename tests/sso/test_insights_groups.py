"""Insights by identity-provider group, department and region: each SCIM group's row holds the
same figures as the overview filtered to its team; each department's and region's, those of its
members."""

from __future__ import annotations

from huddle.accounts.models import Membership, User
from huddle.insights.idp_groups import Breakdown
from huddle.sso import services
from huddle.sso.models import MemberAttributes
from tests.factories import MembershipFactory
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"


def _table(page, key: str) -> Breakdown:
    return next(t for t in page.context["idp_breakdowns"] if t.key == key)


def _place(org, email: str, **attributes: str) -> None:
    user = User.objects.get(email=email)
    services.member_attributes_set(
        organization=org, user=user, attributes=attributes, complete=True
    )


def test_the_overview_breaks_figures_down_by_idp_group(org, admin, login):
    standard_team(org)
    emea = services.scim_group_create(organization=org, display_name="Region EMEA")
    services.scim_group_create(organization=org, display_name="Department Legal")
    for email in ("quinn@sim.test", "tail0@sim.test"):
        Membership.objects.get(organization=org, user__email=email).teams.add(emea.team)
    client = login(admin)
    page = client.get(f"/o/acme/insights/{PERIOD}")
    rows = {row.name: row for row in _table(page, "group").rows}
    assert set(rows) == {"Region EMEA", "Department Legal"}
    filtered = client.get(f"/o/acme/insights/{PERIOD}&team={emea.team.slug}").context["report"]
    assert rows["Region EMEA"].members == filtered.divide.members == 2
    assert rows["Region EMEA"].runs == sum(filtered.divide.weekly_runs) > 0
    assert rows["Department Legal"].members == 0
    html = page.content.decode()
    assert "By identity-provider group" in html
    assert f'href="?team={emea.team.slug}"' in html


def test_no_groups_no_section_and_a_team_view_has_none(org, admin, login):
    standard_team(org)
    client = login(admin)
    assert (
        "By identity-provider group"
        not in client.get(f"/o/acme/insights/{PERIOD}").content.decode()
    )
    group = services.scim_group_create(organization=org, display_name="Sales")
    filtered = client.get(f"/o/acme/insights/{PERIOD}&team={group.team.slug}")
    assert "idp_breakdowns" not in filtered.context


def test_the_overview_breaks_figures_down_by_department_and_region(org, admin, login):
    standard_team(org)
    emails = sorted(
        Membership.objects.filter(organization=org).values_list("user__email", flat=True)
    )
    legal, rest = emails[:2], emails[2:5]
    for email in legal:
        _place(org, email, department="Legal", region="EMEA")
    for email in rest:
        _place(org, email, department="Marketing", region="EMEA")
    client = login(admin)
    page = client.get(f"/o/acme/insights/{PERIOD}")
    departments = {row.name: row for row in _table(page, "department").rows}
    assert set(departments) == {"Legal", "Marketing"}
    assert departments["Legal"].members == 2
    assert departments["Marketing"].members == 3
    regions = {row.name: row for row in _table(page, "region").rows}
    assert regions["EMEA"].members == 5
    assert regions["EMEA"].runs == departments["Legal"].runs + departments["Marketing"].runs
    assert not any(t.key == "division" for t in page.context["idp_breakdowns"])
    html = page.content.decode()
    assert "By department" in html
    assert "By region" in html


def test_a_department_is_what_this_organisations_provider_says(org, admin, login, outsider):
    standard_team(org)
    email = Membership.objects.filter(organization=org).values_list("user__email", flat=True)[0]
    _place(org, email, department="Legal")
    # A member of both organisations, in Legal as the other one's provider says: not here.
    MembershipFactory(organization=org, user=outsider.user)
    services.member_attributes_set(
        organization=outsider.membership.organization,
        user=outsider.user,
        attributes={"department": "Legal"},
        complete=True,
    )
    page = login(admin).get(f"/o/acme/insights/{PERIOD}")
    assert [(r.name, r.members) for r in _table(page, "department").rows] == [("Legal", 1)]


def test_a_department_row_matches_its_members_runs(org, admin, login):
    standard_team(org)
    emea = services.scim_group_create(organization=org, display_name="EMEA")
    for email in ("quinn@sim.test", "tail0@sim.test"):
        Membership.objects.get(organization=org, user__email=email).teams.add(emea.team)
        _place(org, email, region="EMEA")
    page = login(admin).get(f"/o/acme/insights/{PERIOD}")
    group = _table(page, "group").rows[0]
    region = _table(page, "region").rows[0]
    assert (region.members, region.runs, region.minutes_saved) == (
        group.members,
        group.runs,
        group.minutes_saved,
    )
    assert region.runs > 0
    assert MemberAttributes.objects.filter(organization=org).count() == 2

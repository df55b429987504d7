"""Insights by identity-provider group: each SCIM group's row holds the same figures as the
overview filtered to its team."""

from __future__ import annotations

from huddle.accounts.models import Membership
from huddle.sso import services
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"


def test_the_overview_breaks_figures_down_by_idp_group(org, admin, login):
    standard_team(org)
    emea = services.scim_group_create(organization=org, display_name="Region EMEA")
    services.scim_group_create(organization=org, display_name="Department Legal")
    for email in ("quinn@sim.test", "tail0@sim.test"):
        Membership.objects.get(organization=org, user__email=email).teams.add(emea.team)
    client = login(admin)
    page = client.get(f"/o/acme/insights/{PERIOD}")
    rows = {row.name: row for row in page.context["idp_groups"]}
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
    assert "idp_groups" not in filtered.context

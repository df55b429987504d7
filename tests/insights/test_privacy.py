"""Who sees which insights: per role, in aggregate-only mode, and never outsiders."""

from __future__ import annotations

import pytest

from huddle.insights import privacy, services
from huddle.insights.models import SpotlightOptOut
from huddle.insights.privacy import spotlight_allowed
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"
INDIVIDUAL_PAGES = ["insights/members/", "insights/flow/"]
AGGREGATE_PAGES = ["insights/", "insights/workflows/", "insights/phases/"]


@pytest.fixture
def team(org, personas):
    return standard_team(org)


def _member_url(org, email):
    from huddle.accounts.models import Membership

    m = Membership.objects.get(organization=org, user__email=email)
    return f"/o/{org.slug}/insights/members/{m.public_id}/"


@pytest.mark.parametrize("role", ["owner", "admin"])
def test_admins_and_owners_see_individual_figures(role, personas, team, login):
    client = login(personas[role])
    for page in INDIVIDUAL_PAGES + AGGREGATE_PAGES:
        assert client.get(f"/o/acme/{page}{PERIOD}").status_code == 200, page
    overview = client.get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert "Pat" in overview  # the power users are named
    assert "Ask Hoarder to share" in overview
    assert client.get(_member_url(personas[role].org, "pat@sim.test") + PERIOD).status_code == 200


@pytest.mark.parametrize("role", ["editor", "member", "viewer"])
def test_others_see_aggregates_and_only_their_own_profile(role, personas, team, login):
    client = login(personas[role])
    for page in AGGREGATE_PAGES:
        assert client.get(f"/o/acme/{page}{PERIOD}").status_code == 200, page
    for page in INDIVIDUAL_PAGES:
        assert client.get(f"/o/acme/{page}{PERIOD}").status_code == 403, page
    overview = client.get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert "pat@sim.test" not in overview
    assert "Hoarder" not in overview
    assert client.get(_member_url(personas[role].org, "pat@sim.test")).status_code == 403
    own = client.get(f"/o/acme/insights/me/{PERIOD}", follow=True)
    assert own.status_code == 200
    assert own.context["is_me"]


def test_the_workflow_leaderboard_hides_others_private_workflows_from_members(
    personas, team, login
):
    page = login(personas["member"]).get(f"/o/acme/insights/workflows/{PERIOD}")
    assert "Blog workflow 0 of hoarder" not in page.content.decode()
    assert "Email workflow 0 of pat" in page.content.decode()
    admin_page = login(personas["admin"]).get(f"/o/acme/insights/workflows/{PERIOD}")
    assert "Blog workflow 0 of hoarder" in admin_page.content.decode()


def test_aggregate_only_mode_hides_individual_figures_from_everyone(personas, team, login):
    services.settings_update(actor=personas["owner"].actor, aggregate_only=True)
    for role in ("owner", "admin", "member"):
        client = login(personas[role])
        for page in INDIVIDUAL_PAGES:
            assert client.get(f"/o/acme/{page}{PERIOD}").status_code == 403, (role, page)
        overview = client.get(f"/o/acme/insights/{PERIOD}")
        assert overview.status_code == 200
        assert overview.context["report"].power_users == []
        assert overview.context["report"].power_user_count == 2  # a count is an aggregate
        assert "Pat" not in overview.content.decode()
        assert client.get(_member_url(personas[role].org, "pat@sim.test")).status_code == 403
        assert client.get(f"/o/acme/insights/me/{PERIOD}", follow=True).status_code == 200


def test_only_owners_switch_aggregate_only_mode(personas, login):
    assert login(personas["admin"]).post("/o/acme/insights/settings/").status_code == 403
    login(personas["owner"]).post("/o/acme/insights/settings/", {"aggregate_only": "on"})
    assert privacy.aggregate_only(personas["owner"].org)


@pytest.mark.parametrize(
    "path",
    [
        "insights/",
        "insights/members/",
        "insights/members/?format=csv",
        "insights/me/",
        "insights/workflows/",
        "insights/flow/",
        "insights/phases/",
    ],
)
def test_outsiders_get_404_everywhere(path, personas, team, login):
    assert login(personas["outsider"]).get(f"/o/acme/{path}").status_code == 404


def test_outsiders_cannot_post_either(personas, team, login):
    from huddle.library.models import Workflow

    workflow = Workflow.objects.get(slug="hoarder-0")
    client = login(personas["outsider"])
    assert client.post(f"/o/acme/insights/nudge/{workflow.public_id}/").status_code == 404
    assert client.post("/o/acme/insights/settings/").status_code == 404
    assert client.post("/o/acme/insights/spotlight/").status_code == 404


def test_members_can_opt_out_of_spotlight(personas, login):
    member = personas["member"]
    assert spotlight_allowed(member.membership)
    login(member).post("/o/acme/insights/spotlight/", {})
    assert SpotlightOptOut.objects.filter(membership=member.membership).exists()
    assert not spotlight_allowed(member.membership)
    login(member).post("/o/acme/insights/spotlight/", {"allowed": "on"})
    assert spotlight_allowed(member.membership)


def test_aggregate_only_mode_means_no_spotlight(personas):
    services.settings_update(actor=personas["owner"].actor, aggregate_only=True)
    assert not spotlight_allowed(personas["member"].membership)

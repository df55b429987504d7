"""Insights pages: CSV export, the member page's reasons, the share nudge, filters."""

from __future__ import annotations

import csv
import io

from huddle.core.models import Event
from huddle.library.models import Workflow
from tests.insights.simulate import AS_OF, standard_team

PERIOD = f"?as_of={AS_OF}&weeks=8"


def test_members_csv_has_a_row_per_member_sorted_by_score(org, admin, login):
    standard_team(org)
    response = login(admin).get(f"/o/acme/insights/members/{PERIOD}&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 24  # 23 simulated + the admin
    assert rows[0]["email"] == "pat@sim.test"
    assert rows[0]["power_user"] == "True"


def test_a_power_users_page_says_why(org, admin, login):
    standard_team(org)
    client = login(admin)
    members = client.get(f"/o/acme/insights/members/{PERIOD}")
    pat = next(p for p, _row in members.context["rows"] if p.email == "pat@sim.test")
    page = client.get(f"/o/acme/insights/members/{pat.membership_id}/{PERIOD}")
    text = page.content.decode()
    assert "Why a power user" in text
    assert "Uses AI often" in text


def test_asking_an_owner_to_share_records_an_event_and_shows_them_a_notice(org, admin, login):
    sim = standard_team(org)
    workflow = Workflow.objects.get(slug="hoarder-0")
    response = login(admin).post(f"/o/acme/insights/nudge/{workflow.public_id}/")
    assert response.status_code == 302
    event = Event.objects.get(kind="insights.share_nudged")
    assert event.object_id == str(workflow.public_id)
    hoarder = sim.users["hoarder@sim.test"]
    hoarder.set_password("correct-horse-battery-staple")
    hoarder.save()
    page = login(hoarder).get("/o/acme/library/hoarder-0/")
    assert "Your team would like this one" in page.content.decode()
    home = login(hoarder).get("/o/acme/insights/")
    assert "asked you to share" in home.content.decode()


def test_members_cannot_nudge_and_shared_workflows_cannot_be_nudged(org, admin, member, login):
    standard_team(org)
    hoarded = Workflow.objects.get(slug="hoarder-0")
    assert login(member).post(f"/o/acme/insights/nudge/{hoarded.public_id}/").status_code == 403
    shared = Workflow.objects.get(slug="pat-0")
    login(admin).post(f"/o/acme/insights/nudge/{shared.public_id}/")
    assert not Event.objects.filter(kind="insights.share_nudged").exists()


def test_a_team_filter_limits_the_figures_to_its_members(org, admin, login):
    from huddle.accounts.models import Membership, Team

    standard_team(org)
    team = Team.objects.create(organization=org, slug="social", name="Social")
    for email in ("quinn@sim.test", "tail0@sim.test"):
        Membership.objects.get(organization=org, user__email=email).teams.add(team)
    report = login(admin).get(f"/o/acme/insights/{PERIOD}&team=social").context["report"]
    assert report.divide.members == 2
    assert login(admin).get("/o/acme/insights/?team=nope").status_code == 404


def test_a_bad_period_is_a_readable_error(org, admin, login):
    response = login(admin).get("/o/acme/insights/?weeks=500&as_of=someday")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Use 1 to 104 weeks." in text
    assert "Use a date like" in text
    assert response.context["weeks"] == 8


def test_insights_is_in_the_navigation(org, member, login):
    page = login(member).get("/o/acme/runs/")
    assert 'href="/o/acme/insights/"' in page.content.decode()


def test_individual_pages_are_refused_before_any_report_is_built(org, member, login, monkeypatch):
    """A member asking for everyone's figures, or the knowledge flow, is refused at once: the
    report (seconds for a big organisation when nothing is cached) is never computed for them."""
    from huddle.insights import views

    standard_team(org)
    built = []
    monkeypatch.setattr(views, "build_cached", lambda *args: built.append(args))
    client = login(member)
    for page in ("members/", "members/?format=csv", "flow/"):
        response = client.get(f"/o/acme/insights/{page}")
        assert response.status_code == 403, page
        assert "for admins and owners" in response.content.decode()
    assert built == []


def test_a_new_organisation_is_told_how_to_get_its_first_figures(org, admin, member, login):
    """No runs and no usage report: one card that says what to do, not a page of empty charts."""
    page = login(admin).get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert "Nothing to measure yet" in page
    assert 'href="/o/acme/usage/imports/"' in page  # admins may import a usage report
    assert "chart-adoption" not in page
    assert "Know-how latency" not in page
    assert "of 2 members used AI" in page
    as_member = login(member).get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert "Nothing to measure yet" in as_member
    assert "usage/imports" not in as_member


def test_the_first_run_replaces_the_empty_state_with_the_charts(org, admin, login):
    standard_team(org)
    page = login(admin).get(f"/o/acme/insights/{PERIOD}").content.decode()
    assert "Nothing to measure yet" not in page
    assert "chart-adoption" in page
    assert "Know-how latency" in page

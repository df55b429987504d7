"""Issue 19, item 1: the home page says what to do. A new organisation gets a setup checklist
(only the steps the person may do; gone once all are done); everyone gets what to run today, their
recent runs, this week's wins and open asks, and their time saved. Nobody is greeted as "new"."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from huddle.accounts import services as account_services
from huddle.accounts.models import Organization, Role
from huddle.library import services as library_services
from huddle.rituals import config, services
from huddle.rituals.home import greeting_name, home_for, setup_steps, to_run_today
from tests.conftest import Persona, _persona
from tests.context.helpers import make_asset
from tests.factories import make_workflow
from tests.rituals.conftest import run, shared_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh():
    """A brand-new organisation: its owner, whose user has no name."""
    from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

    organization: Organization = OrganizationFactory(slug="fresh", name="Fresh Co")
    user = UserFactory(email="new@fresh.test", name="")
    return Persona(user, MembershipFactory(organization=organization, user=user, role=Role.OWNER))


def _keys(steps):
    return {s.key: s.done for s in steps}


def test_a_nameless_person_is_greeted_by_their_email(fresh, member):
    assert greeting_name(fresh.actor) == "new@fresh.test"
    assert greeting_name(member.actor) == "Member Person"


def test_a_new_organisation_has_four_steps_to_do_and_they_tick_off(fresh):
    assert _keys(setup_steps(fresh.actor)) == {
        "context": False, "capture": False, "invite": False, "ritual": False,
    }  # fmt: skip
    make_asset(fresh, "brand", "brand_voice")
    make_workflow(fresh, title="First one")
    account_services.invitation_create(
        actor=fresh.actor, organization=fresh.org, email="b@fresh.test", role=Role.MEMBER
    )
    assert _keys(setup_steps(fresh.actor)) == {
        "context": True, "capture": True, "invite": True, "ritual": False,
    }  # fmt: skip
    config.settings_update(
        actor=fresh.actor,
        fields=config.ScheduleFields(
            enabled=True, timezone="UTC", draft_weekday=3, draft_time=time(9),
            send_weekday=4, send_time=time(9), recipients="members", email_enabled=True,
        ),
    )  # fmt: skip
    assert setup_steps(fresh.actor) == []  # all done: the checklist goes away


def test_members_see_only_the_steps_they_can_do(org):
    member = _persona(org, Role.MEMBER, "m@acme.test")
    viewer = _persona(org, Role.VIEWER, "v@acme.test")
    assert set(_keys(setup_steps(member.actor))) == {"context", "capture"}
    assert setup_steps(viewer.actor) == []


def test_what_to_run_puts_endorsed_first_then_the_teams_favourites_and_hides_the_unseen(
    editor, member, outsider
):
    endorsed = shared_workflow(editor, title="Zz endorsed")
    library_services.workflow_endorse(actor=editor.actor, workflow=endorsed)
    popular = shared_workflow(editor, title="Popular")
    quiet = shared_workflow(editor, title="Quiet")
    private = make_workflow(editor, title="Editor's own")  # private: not the member's to see
    for _ in range(3):
        run(member, popular, when=timezone.now())
    make_workflow(outsider, title="Globex secret", visibility="org")

    titles = [w.title for w in to_run_today(member.actor)]
    assert titles[:2] == ["Zz endorsed", "Popular"]
    assert "Quiet" in titles
    assert private.title not in titles
    assert "Globex secret" not in titles
    assert next(w for w in to_run_today(member.actor) if w.pk == popular.pk).recent_runs == 3
    assert quiet.pk in {w.pk for w in to_run_today(member.actor)}


def test_home_counts_only_my_runs_and_this_weeks_wins(editor, member):
    report = shared_workflow(editor, title="Report")
    run(member, report, spent=10, baseline=70, when=timezone.now())
    run(editor, report, spent=10, baseline=500, when=timezone.now())
    services.win_nominate(actor=editor.actor, story="fast", workflow=report)
    services.ask_create(actor=member.actor, text="Anyone doing webinar invites?")
    home = home_for(member.actor)
    assert home.saved_week.minutes_saved == 60
    assert home.saved_recent.runs == 1
    assert [r.user_id for r in home.recent_runs] == [member.user.pk]
    assert [w.subject_title for w in home.wins] == ["Report"]
    assert [v.ask.text for v in home.asks] == ["Anyone doing webinar invites?"]


def test_the_home_page_of_a_new_organisation(fresh, login, outsider):
    client = login(fresh)
    page = client.get("/o/fresh/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Welcome, new@fresh.test" in html
    assert "Get your team started" in html
    assert "4 of 4 steps left" in html
    assert "Coming to this space" not in html
    assert login(outsider).get("/o/fresh/").status_code == 404


def test_the_home_page_of_a_busy_organisation(editor, member, login):
    report = shared_workflow(editor, title="Monthly report")
    run(member, report, spent=20, baseline=200, when=timezone.now())
    html = login(member).get("/o/acme/").content.decode()
    assert "Welcome, Member Person" in html
    assert "What to run today" in html
    assert "Monthly report" in html
    assert 'href="/o/acme/settings/tokens/#ai-tools">Bring the library into them' in html
    assert "3.0 hours" in html  # 180 minutes saved this week
    assert "1 of 2 steps left" in html  # no context yet: the one step a member may do
    make_asset(editor, "brand", "brand_voice")
    assert "Get your team started" not in login(member).get("/o/acme/").content.decode()

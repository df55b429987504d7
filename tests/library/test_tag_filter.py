"""The library's tag filter lists the tags of workflows the member may see, and only those."""

from __future__ import annotations

import pytest

from huddle.library import queries, services
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def tagged(member, editor):
    team = TeamFactory(organization=member.org, name="Social", slug="social")
    member.membership.teams.add(team)
    make_workflow(editor, title="Org post", visibility="org", tags=["linkedin", "launch"])
    make_workflow(editor, title="Team post", visibility="team", team=team, tags=["social"])
    make_workflow(editor, title="Editor's secret", tags=["secret-sauce"])  # private to the editor
    make_workflow(member, title="My draft", tags=["drafts"])
    old = make_workflow(editor, title="Old", visibility="org", tags=["retired"])
    services.workflow_archive(actor=editor.actor, workflow=old)
    return team


def test_a_member_sees_the_tags_of_what_they_may_open_sorted(member, tagged):
    assert queries.tags_in_use(member.actor) == ["drafts", "launch", "linkedin", "social"]


def test_someone_outside_the_team_does_not_see_its_tags(viewer, tagged):
    assert queries.tags_in_use(viewer.actor) == ["launch", "linkedin"]


def test_the_library_page_offers_those_tags(member, tagged, login):
    page = login(member).get(f"/o/{member.org.slug}/library/").content.decode()
    select = page[page.index('id="f-tag"') : page.index("</select>", page.index('id="f-tag"'))]
    assert '<option value="social">social</option>' in select
    assert "secret-sauce" not in select
    assert "retired" not in select


def test_the_list_follows_every_change_at_once_though_it_is_cached(member, viewer, tagged):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert "webinar" not in queries.tags_in_use(member.actor)
    with CaptureQueriesContext(connection) as repeat:
        queries.tags_in_use(member.actor)
    assert len(repeat.captured_queries) == 2  # the newest change and the teams: no probes
    make_workflow(member, title="Webinar plan", visibility="org", tags=["webinar"])
    assert "webinar" in queries.tags_in_use(member.actor)
    assert "social" not in queries.tags_in_use(viewer.actor)
    viewer.membership.teams.add(tagged)  # joins the team
    assert "social" in queries.tags_in_use(viewer.actor)
    draft = make_workflow(member, title="Retiring soon", visibility="org", tags=["sunset"])
    assert "sunset" in queries.tags_in_use(viewer.actor)
    services.workflow_archive(actor=member.actor, workflow=draft)
    assert "sunset" not in queries.tags_in_use(viewer.actor)

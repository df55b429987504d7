"""Library pages over HTTP: the visibility matrix, the editor, render, actions, outsiders."""

from __future__ import annotations

import pytest

from huddle.library import services
from huddle.library.models import Workflow
from huddle.library.rendering import content_of
from tests.factories import TeamFactory, make_workflow

pytestmark = pytest.mark.django_db

ROLES = ["owner", "admin", "editor", "member", "viewer"]


@pytest.fixture
def shelf(personas):
    """A private workflow of the member, one shared with a team, one with the organisation."""
    member = personas["member"]
    team = TeamFactory(organization=member.org, name="Social", slug="social")
    member.membership.teams.add(team)
    personas["viewer"].membership.teams.add(team)
    return {
        "private": make_workflow(member, title="Private idea", steps=["Secret {{ product }}"]),
        "team": make_workflow(member, title="Team recipe", visibility="team", team=team),
        "org": make_workflow(member, title="Org favourite", visibility="org"),
    }


SEES = {
    "owner": {"org"},
    "admin": {"org"},
    "editor": {"org"},
    "member": {"private", "team", "org"},
    "viewer": {"team", "org"},
    "outsider": set(),
}


@pytest.mark.parametrize("who", [*ROLES, "outsider"])
def test_library_lists_and_search_show_exactly_what_each_person_may_see(
    personas, shelf, login, who
):
    client = login(personas[who])
    slug = "acme"
    listing = client.get(f"/o/{slug}/library/")
    if who == "outsider":
        assert listing.status_code == 404
        return
    titles = {key for key, wf in shelf.items() if wf.title.encode() in listing.content}
    assert titles == SEES[who]
    searched = client.get(f"/o/{slug}/library/", {"q": "idea recipe favourite"})
    assert searched.status_code == 200
    for key, workflow in shelf.items():
        response = client.get(f"/o/{slug}/library/{workflow.slug}/")
        assert response.status_code == (200 if key in SEES[who] else 404)
        rendered = client.post(f"/o/{slug}/library/{workflow.slug}/render/", {"in_product": "X"})
        assert rendered.status_code == (200 if key in SEES[who] else 404)


def test_outsider_gets_404_for_every_library_page(shelf, outsider, login):
    client = login(outsider)
    org = shelf["org"]
    for path in [
        "",
        "new/",
        "new/paste/",
        f"{org.slug}/",
        f"{org.slug}/edit/",
        f"{org.slug}/diff/",
        f"{org.slug}/v/1/",
    ]:
        assert client.get(f"/o/acme/library/{path}").status_code == 404, path
    for action in ["render", "publish", "endorse", "archive", "fork", "star", "v/1/rollback"]:
        assert client.post(f"/o/acme/library/{org.slug}/{action}/").status_code == 404, action
    assert Workflow.objects.filter(organization=outsider.org).count() == 0


def test_search_as_you_type_returns_the_results_fragment(shelf, member, login):
    response = login(member).get(
        "/o/acme/library/", {"q": "favo"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert b"<html" not in response.content
    assert b"Org favourite" in response.content
    assert b"Team recipe" not in response.content


def test_viewers_see_no_create_button_and_cannot_open_the_editor(viewer, login):
    client = login(viewer)
    assert b"New workflow" not in client.get("/o/acme/library/").content
    assert client.get("/o/acme/library/new/").status_code == 403


def _editor_post(**extra):
    data = {
        "title": "Nurture email",
        "kind": "prompt",
        "visibility": "private",
        "step_name_0": "email",
        "step_template_0": "Write an email to {{ persona }} about {{ offer }}.",
        "input_name_0": "persona",
        "input_type_0": "text",
        "input_required_0": "on",
        "input_name_1": "offer",
        "input_type_1": "choice",
        "input_choices_1": "demo, trial",
        "negative_constraints": "No jargon",
        "baseline_minutes": "45",
    }
    data.update(extra)
    return data


def test_creating_from_the_editor(member, login):
    response = login(member).post("/o/acme/library/new/", _editor_post())
    assert response.status_code == 302
    workflow = Workflow.objects.get(slug="nurture-email")
    version = services.latest_version(workflow)
    assert [i["name"] for i in version.inputs] == ["persona", "offer"]
    assert version.inputs[1]["choices"] == ["demo", "trial"]
    assert version.baseline_minutes == 45


def test_editor_keeps_what_was_typed_and_shows_the_problem(member, login):
    post = _editor_post(step_template_0="Write to {{ persona }} in {{ tone }}.")
    response = login(member).post("/o/acme/library/new/", post)
    assert response.status_code == 200
    assert b"Line 1: &#x27;tone&#x27; is used but not declared as an input." in response.content
    assert b"Write to {{ persona }} in {{ tone }}." in response.content
    assert not Workflow.objects.exists()


def test_live_validation_reports_problems_and_uses(member, login):
    client = login(member)
    bad = client.post("/o/acme/library/validate/", _editor_post(step_template_0="{{ nope }}"))
    assert b"&#x27;nope&#x27; is used but not declared" in bad.content
    good = client.post("/o/acme/library/validate/", _editor_post())
    assert b"Looks good" in good.content
    assert b"<code>offer</code>" in good.content


def test_paste_prefills_the_editor_without_saving(member, login):
    response = login(member).post(
        "/o/acme/library/new/",
        {
            "from_paste": "1",
            "title": "Pasted",
            "kind": "prompt",
            "step_name_0": "prompt",
            "step_template_0": "Write about {{ product }}",
            "input_name_0": "product",
        },
    )
    assert response.status_code == 200
    assert b"Write about {{ product }}" in response.content
    assert not Workflow.objects.exists()


def test_render_shows_the_prompt_or_names_the_missing_input(shelf, member, login):
    client = login(member)
    url = f"/o/acme/library/{shelf['org'].slug}/render/"
    ok = client.post(url, {"in_product": "Huddle"})
    assert b"Write a LinkedIn post announcing Huddle." in ok.content
    missing = client.post(url, {})
    assert b"Product is required." in missing.content


def test_editing_saves_a_new_version_and_the_diff_shows_it(shelf, member, login):
    client = login(member)
    workflow = shelf["org"]
    response = client.post(
        f"/o/acme/library/{workflow.slug}/edit/",
        {
            "title": workflow.title,
            "kind": "prompt",
            "step_name_0": "step_1",
            "step_template_0": "Write a short LinkedIn post about {{ product }}.",
            "input_name_0": "product",
            "input_required_0": "on",
            "changelog": "Shorter",
        },
    )
    assert response.status_code == 302
    assert services.latest_version(workflow).number == 2
    diff = client.get(f"/o/acme/library/{workflow.slug}/diff/")
    assert b"Write a short LinkedIn post about {{ product }}." in diff.content
    assert b'class="d add"' in diff.content


def test_rollback_from_the_version_page(shelf, member, login):
    client = login(member)
    workflow = shelf["org"]
    services.workflow_save_version(
        actor=member.actor,
        workflow=workflow,
        content=content_of(services.latest_version(workflow)),
        changelog="same again",
    )
    assert client.post(f"/o/acme/library/{workflow.slug}/v/1/rollback/").status_code == 302
    assert services.latest_version(workflow).number == 1


def test_editors_endorse_members_cannot(shelf, member, editor, login):
    url = f"/o/acme/library/{shelf['org'].slug}/endorse/"
    assert login(member).post(url).status_code == 403
    assert login(editor).post(url).status_code == 302
    shelf["org"].refresh_from_db()
    assert shelf["org"].status == "endorsed"


def test_editors_may_edit_shared_workflows_and_anyone_may_fork(shelf, editor, admin, login):
    workflow = shelf["org"]
    assert login(editor).get(f"/o/acme/library/{workflow.slug}/edit/").status_code == 200
    assert login(admin).post(f"/o/acme/library/{workflow.slug}/fork/").status_code == 302
    assert Workflow.objects.filter(forked_from=workflow, owner=admin.user).exists()


def test_a_member_cannot_edit_someone_elses_shared_workflow(editor, member, login):
    theirs = make_workflow(editor, title="Editor's", visibility="org")
    assert login(member).get(f"/o/acme/library/{theirs.slug}/edit/").status_code == 403


def test_viewer_cannot_fork_or_edit(shelf, viewer, login):
    client = login(viewer)
    assert client.post(f"/o/acme/library/{shelf['org'].slug}/fork/").status_code == 403
    assert client.get(f"/o/acme/library/{shelf['org'].slug}/edit/").status_code == 403


def test_starring_over_htmx(shelf, viewer, login):
    response = login(viewer).post(
        f"/o/acme/library/{shelf['org'].slug}/star/",
        {"starred": "1"},
        headers={"HX-Request": "true"},
    )
    assert b"Starred" in response.content
    shelf["org"].refresh_from_db()
    assert shelf["org"].star_count == 1


def test_publishing_from_the_page(shelf, member, login):
    response = login(member).post(
        f"/o/acme/library/{shelf['private'].slug}/publish/", {"visibility": "org"}
    )
    assert response.status_code == 302
    shelf["private"].refresh_from_db()
    assert (shelf["private"].visibility, shelf["private"].status) == ("org", "shared")


TEMPLATE_BITS = [
    "{{", "}}", "{%", "%}", "product", " ", "for x in range(9)", "endfor", "if", "endif", "*",
    "~", "|upper", "|attr('__class__')", ".__class__", "steps.a.output", "context.brand",
    "'", "9**9", "macro", "\n", "(", ")", "[", "]", "set y = ", "{#", "#}",
]  # fmt: skip


def test_generated_templates_never_cause_a_server_error(member, login):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client = login(member)

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(st.sampled_from(TEMPLATE_BITS), max_size=20).map("".join))
    def check(source):
        post = _editor_post(step_template_0=source, title="Fuzz")
        assert client.post("/o/acme/library/validate/", post).status_code == 200
        response = client.post("/o/acme/library/new/", post)
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            slug = response["Location"].rstrip("/").rsplit("/", 1)[1]
            rendered = client.post(
                f"/o/acme/library/{slug}/render/", {"in_persona": "x", "in_offer": "demo"}
            )
            assert rendered.status_code == 200

    check()


def test_an_edit_with_a_bad_template_changes_nothing(shelf, member, login):
    workflow = shelf["org"]
    response = login(member).post(
        f"/o/acme/library/{workflow.slug}/edit/",
        {
            "title": "Renamed",
            "kind": "prompt",
            "step_name_0": "step_1",
            "step_template_0": "Broken {{ undeclared }}",
            "changelog": "oops",
        },
    )
    assert response.status_code == 200
    assert b"is used but not declared" in response.content
    workflow.refresh_from_db()
    assert workflow.title == "Org favourite"
    assert services.latest_version(workflow).number == 1


def test_library_cards_show_kind_owner_team_summary_and_tag_links(shelf, viewer, login):
    response = login(viewer).get("/o/acme/library/")
    html = response.content.decode()
    team = shelf["team"]
    assert f'href="/o/acme/library/{team.slug}/"' in html
    assert "by " + team.owner.display_name + " · Social" in html
    assert '<span class="badge kind-prompt">Prompt</span>' in html


def test_the_filter_bar_offers_each_choice_and_keeps_the_chosen_ones(shelf, member, login):
    page = login(member).get("/o/acme/library/", {"team": "social", "kind": "chain"})
    html = page.content.decode()
    team_select = html[
        html.index('id="f-team"') : html.index("</select>", html.index('id="f-team"'))
    ]
    assert '<option value="social" selected>Social</option>' in team_select
    kind_select = html[
        html.index('id="f-kind"') : html.index("</select>", html.index('id="f-kind"'))
    ]
    assert '<option value="chain" selected>Prompt chain</option>' in kind_select
    assert '<option value="prompt">Prompt</option>' in kind_select
    assert '<option value="recent">Recently updated</option>' in html


def test_the_editor_offers_insert_input_buttons(member, login):
    page = login(member).get("/o/acme/library/new/").content.decode()
    assert 'id="insert-inputs"' in page
    assert 'aria-label="Insert an input"' in page
    assert "/static/library-editor.js" in page


def test_an_empty_library_links_to_capturing_and_to_importing_a_chat_export(member, login):
    page = login(member).get("/o/acme/library/").content.decode()
    assert "The library is empty." in page
    assert 'href="/o/acme/captures/new/"' in page
    assert 'href="/o/acme/captures/import/"' in page


# --- bad input on the buttons and pickers: a message on the page, nothing written -------------


def _post_back(client, workflow, action, data):
    page = f"/o/acme/library/{workflow.slug}/"
    return client.post(f"{page}{action}/", data, headers={"referer": page}, follow=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"visibility": "everyone"}, "Who can see it: Select a valid choice."),
        ({}, "Who can see it: This field is required."),
        ({"visibility": "team", "team": "nobody"}, "Team: No team &#x27;nobody&#x27;."),
        ({"visibility": "team", "team": "x" * 51}, "Team: Ensure this value has at most 50"),
    ],
)
def test_bad_sharing_says_what_is_wrong_and_changes_nothing(shelf, member, login, data, message):
    workflow = shelf["private"]
    response = _post_back(login(member), workflow, "publish", data)
    assert "Check the sharing." in response.content.decode()
    assert message in response.content.decode()
    workflow.refresh_from_db()
    assert (workflow.visibility, workflow.status) == ("private", "draft")


def test_sharing_with_a_team_by_its_slug(shelf, member, login):
    workflow = shelf["private"]
    response = _post_back(
        login(member), workflow, "publish", {"visibility": "team", "team": "social"}
    )
    assert "Visible to: my team." in response.content.decode()
    workflow.refresh_from_db()
    assert (workflow.visibility, workflow.team.slug) == ("team", "social")


@pytest.mark.parametrize("version", ["two", "0"])
def test_endorsing_a_version_that_is_not_a_number_says_so(shelf, editor, login, version):
    response = _post_back(login(editor), shelf["org"], "endorse", {"version": version})
    assert "Choose a version to endorse. Version:" in response.content.decode()
    shelf["org"].refresh_from_db()
    assert shelf["org"].status == "shared"


def test_endorsing_a_chosen_version(shelf, editor, login):
    response = _post_back(login(editor), shelf["org"], "endorse", {"version": "1"})
    assert "Endorsed" in response.content.decode()
    shelf["org"].refresh_from_db()
    assert shelf["org"].status == "endorsed"


def test_archive_and_star_buttons_refuse_unknown_values(shelf, member, login):
    client = login(member)
    workflow = shelf["org"]
    response = _post_back(client, workflow, "archive", {"archived": "maybe"})
    assert "Archive or restore? Archived: Select a valid choice." in response.content.decode()
    response = _post_back(client, workflow, "star", {"starred": "yes"})
    assert "Star or unstar? Starred: Select a valid choice." in response.content.decode()
    workflow.refresh_from_db()
    assert (workflow.status, workflow.star_count) == ("shared", 0)
    _post_back(client, workflow, "archive", {"archived": "1"})
    workflow.refresh_from_db()
    assert workflow.status == "archived"
    _post_back(client, workflow, "archive", {"archived": "0"})
    workflow.refresh_from_db()
    assert workflow.status == "shared"


def test_an_unknown_target_model_is_named_on_the_assembly_page(shelf, member, login):
    url = f"/o/acme/library/{shelf['org'].slug}/assembly/"
    response = login(member).post(url, {"in_product": "Huddle", "budget": "1m"})
    assert response.status_code == 200
    assert "Choose a target model. Target model: Select a valid choice." in (
        response.content.decode()
    )
    good = login(member).post(url, {"in_product": "Huddle", "budget": "8k"})
    assert "tokens of 8192" in good.content.decode()


def test_the_paste_page_opens_the_editor_filled_in_and_saves_nothing(member, login):
    response = login(member).post(
        "/o/acme/library/new/", {"from_paste": "1", "title": "Pasted", "step_template_0": "Hi"}
    )
    assert response.status_code == 200
    assert b'value="Pasted"' in response.content
    assert not Workflow.objects.filter(title="Pasted").exists()
